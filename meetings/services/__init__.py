"""Domain logic: check_*() validates and authorizes, do_*() changes data in one transaction."""
