from govapp.cli import main

main()
