"""Stand-in for omegaconf (python3-omegaconf is not installed here): SEDD only calls OmegaConf.create(dict) and then
reads keys as attributes (config.model.hidden_size, config.graph.type, config.tokens). create() here wraps the nested
dict so attribute reads return the same values; nothing else of OmegaConf is provided."""


class _Node(dict):
    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key)


class OmegaConf:
    @staticmethod
    def create(d):
        return _Node({k: OmegaConf.create(v) if isinstance(v, dict) else v for k, v in d.items()})
