from trafficscan.cli import main

main()
