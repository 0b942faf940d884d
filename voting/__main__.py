from voting.cli import main

main()
