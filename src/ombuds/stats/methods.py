"""The two ways of averaging a type's rates (SPEC 1.3): a module of its own so that the command line can offer
them without loading the statistics."""

AVERAGE_METHODS = ("pooled", "mean")
