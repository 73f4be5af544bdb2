module residence

go 1.19
