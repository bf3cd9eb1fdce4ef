// http_headers: logs request and response headers and sets one response header.
//
// Configuration (JSON, every field optional): {"header": NAME, "value": VALUE}
// defaults: x-wasm-header / demo-wasm. Empty configuration = defaults.
#include <proxy_wasm/json.h>
#include <proxy_wasm/proxy_wasm.h>

#include <string>

namespace {

struct Config {
  std::string header = "x-wasm-header";
  std::string value = "demo-wasm";
};

// Both fields optional; a field of another type is an error that names it ("/header: ...").
void from_json(const proxy_wasm::Json& j, Config& c) {
  proxy_wasm::jsonField(j, "header", c.header, proxy_wasm::JsonOptional);
  proxy_wasm::jsonField(j, "value", c.value, proxy_wasm::JsonOptional);
}

class HeadersRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t) override {
    // Empty configuration: the defaults. Errors are logged with their position or field.
    auto config = proxy_wasm::pluginConfigurationAs<Config>(*this);
    if (!config) return false;
    config_ = std::move(*config);
    return true;
  }

  const std::string& header() const { return config_.header; }
  const std::string& value() const { return config_.value; }

 private:
  Config config_;
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
