from shopsafe.cli import main

main()
