from ombuds.cli import main

main()
