from infobot.entry import main

main()
