#!/usr/bin/env python
from kehoach.cli import main

if __name__ == "__main__":
    main()
