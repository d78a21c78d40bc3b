"""Language and registry normalizers: agency names, deadlines, statuses, measure links."""
