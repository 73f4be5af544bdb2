




€€€
€€€€€€€€€(" €"
"  €""° €""À €"*		 
* 
* 
2x2alloc_objects2count2alloc_space2bytes2inuse_objects2inuse_space2space2/bin/service2	main.leak2main.go2	main.main2	main.keepH€€İé„™¦éZ`€€ 