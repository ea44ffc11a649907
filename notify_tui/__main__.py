from notify_tui.cli import main

main()
