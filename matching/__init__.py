"""Match: place each parsed message under a unit and a request, or give the reason it is not
placed. Pure functions; the clerk's rules live here (contract, "Which unit", "Which request")."""
