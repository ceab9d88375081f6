"""Where events happen: a gazetteer, the rules that place an event, and the world outline for maps."""
