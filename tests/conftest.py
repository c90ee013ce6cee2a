pytest_plugins = ["tests.cluster.plugin", "tests.helpers.plugin", "tests.helpers.prometheus"]
