from medasr.cli import main

main()
