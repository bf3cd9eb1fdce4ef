// Cookbook: several plugin configurations in one module, told apart by root id. Envoy
// configures each filter with its own `root_id` (and configuration); the module registers
// one root type per root id. Two filters with the same root id get two roots.
#include <proxy_wasm/proxy_wasm.h>

#include <string>

namespace {

// root_id "tagger": adds a header whose value is the plugin configuration.
class TaggerRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onConfigure(size_t) override {
    auto config = pluginConfiguration();
    if (!config) return false;
    value_ = config->str();
    return true;
  }
  const std::string& value() const { return value_; }

 private:
  std::string value_;
};

class Tagger : public proxy_wasm::HttpContextFor<TaggerRoot> {
 public:
  using HttpContextFor::HttpContextFor;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    if (auto s = addRequestHeader("x-tag", root().value()); !s) proxy_wasm::logWarn("cannot tag: ", s);
    return proxy_wasm::Action::Continue;
  }
};

// root_id "blocker": refuses requests whose path starts with the configured prefix.
class BlockerRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onConfigure(size_t) override {
    auto config = pluginConfiguration();
    if (!config || config->empty()) return false;
    prefix_ = config->str();
    return true;
  }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string prefix_;
};

class Blocker : public proxy_wasm::HttpContextFor<BlockerRoot> {
 public:
  using HttpContextFor::HttpContextFor;
  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");
    if (path && path->view().substr(0, root().prefix().size()) == root().prefix()) {
      if (auto s = sendLocalResponse(403, "blocked"); !s) proxy_wasm::logError("cannot block: ", s);
      return proxy_wasm::Action::Pause;
    }
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<TaggerRoot, Tagger> tagger{"tagger"};
proxy_wasm::RegisterContextFactory<BlockerRoot, Blocker> blocker{"blocker"};

}  // namespace
