"""Files from people: rosters, payment lists, statements, their error files and the worker
processes of a bulk import. Calls the service; never writes the log itself."""
