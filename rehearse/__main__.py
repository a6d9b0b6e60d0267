from rehearse.cli.main import main

raise SystemExit(main())
