// http_headers: logs request and response headers and sets one response header.
//
// Configuration (JSON, every field optional): {"header": NAME, "value": VALUE}
// defaults: x-wasm-header / demo-wasm. Empty configuration = defaults.
#include <proxy_wasm/proxy_wasm.h>

#include <nlohmann/json.hpp>
#include <string>

namespace {

class HeadersRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t size) override {
    header_ = "x-wasm-header";
    value_ = "demo-wasm";
    if (size == 0) return true;
    auto config = pluginConfiguration();
    if (!config) {
      proxy_wasm::logError("cannot read the plugin configuration: ", config.status());
      return false;
    }
    // No exceptions: parse errors come back as a "discarded" value.
    const auto json = nlohmann::json::parse(config->view(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      proxy_wasm::logError("configuration must be a JSON object: ", config->view());
      return false;
    }
    for (auto [field, target] : {std::pair{"header", &header_}, std::pair{"value", &value_}}) {
      auto it = json.find(field);
      if (it == json.end()) continue;
      if (!it->is_string()) {
        proxy_wasm::logError("configuration field '", field, "' must be a string");
        return false;
      }
      *target = it->get<std::string>();
    }
    return true;
  }

  const std::string& header() const { return header_; }
  const std::string& value() const { return value_; }

 private:
  std::string header_;
  std::string value_;
};

class HeadersContext : public proxy_wasm::HttpContextFor<HeadersRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto headers = getRequestHeaders();
    if (!headers) {
      proxy_wasm::logWarn("cannot read request headers: ", headers.status());
      return proxy_wasm::Action::Continue;
    }
    for (auto [key, value] : *headers) proxy_wasm::logInfo("request header --> ", key, ": ", value);
    return proxy_wasm::Action::Continue;
  }

  proxy_wasm::Action onResponseHeaders(uint32_t, bool) override {
    if (auto s = replaceResponseHeader(root().header(), root().value()); !s)
      proxy_wasm::logWarn("cannot set ", root().header(), ": ", s);
    auto headers = getResponseHeaders();
    if (!headers) {
      proxy_wasm::logWarn("cannot read response headers: ", headers.status());
      return proxy_wasm::Action::Continue;
    }
    for (auto [key, value] : *headers) proxy_wasm::logInfo("response header <-- ", key, ": ", value);
    return proxy_wasm::Action::Continue;
  }
};

proxy_wasm::RegisterContextFactory<HeadersRoot, HeadersContext> registration{""};

}  // namespace
