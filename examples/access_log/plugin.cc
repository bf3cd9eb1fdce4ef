// access_log: one access-log line per HTTP request, from Envoy's request attributes.
//
// In on_log (called once the request is complete) the plugin logs, at info:
//   access: METHOD PATH CODE
// from the properties request.method, request.path and response.code, each "-" when the
// host has no value for it (e.g. no response was ever sent).
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>

namespace {

// Whether a property has a value. Absence is normal (e.g. no response was sent); a failure
// to read it is logged.
template <class T>
bool present(const proxy_wasm::Maybe<T>& value, std::string_view name) {
  if (!value.ok()) proxy_wasm::logWarn("cannot read ", name, ": ", value.status());
  return value.has_value();
}

class AccessLogContext : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  void onLog() override {
    namespace attributes = proxy_wasm::attributes;
    const auto method = attributes::requestMethod();
    const auto path = attributes::requestPath();
    const auto code = attributes::responseCode();  // an int64 property
    proxy_wasm::logInfo("access: ", present(method, "request.method") ? method->view() : "-", " ",
                        present(path, "request.path") ? path->view() : "-", " ",
                        present(code, "response.code") ? std::to_string(*code) : "-");
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, AccessLogContext> registration{""};

}  // namespace
