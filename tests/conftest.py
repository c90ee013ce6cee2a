pytest_plugins = ["tests.fakes.cluster.plugin", "tests.helpers.plugin", "tests.helpers.prometheus",
                  "tests.helpers.real_k8s_plugin"]
