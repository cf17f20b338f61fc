"""A memo for the functions that run once per term or per word piece."""


class Memo(dict):
    """``fn(key)``, computed once per key and kept, for up to ``limit`` keys (then all
    are dropped and it fills again). Its ``__getitem__`` runs for every term indexed or
    packed, where a dict lookup costs about half of an ``lru_cache`` hit."""

    __slots__ = ("fn", "limit")

    def __init__(self, fn, limit):
        super().__init__()
        self.fn, self.limit = fn, limit

    def __missing__(self, key):
        if len(self) >= self.limit:
            self.clear()
        value = self[key] = self.fn(key)
        return value
