"""Reading and checking SPARQL text: the one lexer, the guard, the function policy."""
