"""One package per feature (settings, prompts, victories, share, care), each loaded as an
extension by its dotted name (`cogs.victories`). A feature imports bot/, never another
feature; see each package's docstring for its map, and README.md "Development"."""
