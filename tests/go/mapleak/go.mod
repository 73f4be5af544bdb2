module mapleak
go 1.19
