from trafficscan.cli.app import main

main()
