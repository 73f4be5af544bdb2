module moved

go 1.19
