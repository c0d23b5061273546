from infobot.cli.main import main

main()
