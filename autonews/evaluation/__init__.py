"""How the product measures itself, shared by the tests and the benchmarks (which never
import the tests): the cleaner's golden pages and their score, the enrichment's labelled
set, the report page opened in a real browser, a synthetic many-source warehouse."""
