// http_auth: asks an authorization service whether each request may proceed.
//
// Configuration (JSON object, every field optional, each a non-empty string):
//   {"cluster": "auth", "authority": "auth.local", "path": "/check"}
//
// On the request headers the plugin removes any client-sent x-auth-user, sends
// `GET <path>` to <cluster> (`:authority` <authority>, `x-original-path` = the request's
// :path, no body, 1 s timeout) and pauses the request until the answer:
//   200             -> x-auth-user = the answer's first x-user (when it has one); resume
//   any other status -> local 403 "access forbidden", x-auth: denied (details auth_denied)
//   the call failed, or could not be made
//                    -> local 503 "auth service unavailable" (details auth_unavailable)
// A response arriving after the stream ended is dropped by the SDK.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace {

using proxy_wasm::Action;
constexpr std::chrono::milliseconds kAuthTimeout{1000};

class AuthRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  bool onConfigure(size_t size) override {
    cluster_ = "auth";
    authority_ = "auth.local";
    path_ = "/check";
    if (size == 0) return true;
    auto config = pluginConfiguration();
    if (!config) {
      proxy_wasm::logError("cannot read the plugin configuration: ", config.status());
      return false;
    }
    // No exceptions: a parse error comes back as a "discarded" value.
    const auto json = nlohmann::json::parse(config->view(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) {
      proxy_wasm::logError("configuration must be a JSON object: ", config->view());
      return false;
    }
    for (auto [field, target] :
         {std::pair{"cluster", &cluster_}, std::pair{"authority", &authority_}, std::pair{"path", &path_}}) {
      auto it = json.find(field);
      if (it == json.end()) continue;
      if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
        proxy_wasm::logError("configuration field '", field, "' must be a non-empty string");
        return false;
      }
      *target = it->get<std::string>();
    }
    return true;
  }

  const std::string& cluster() const { return cluster_; }
  const std::string& authority() const { return authority_; }
  const std::string& path() const { return path_; }

 private:
  std::string cluster_, authority_, path_;
};

class AuthContext : public proxy_wasm::HttpContextFor<AuthRoot> {
 public:
  using HttpContextFor::HttpContextFor;

  Action onRequestHeaders(uint32_t, bool) override {
    // The identity header is the auth service's to set, never the client's.
    if (auto s = removeRequestHeader("x-auth-user"); !s) {
      proxy_wasm::logError("cannot remove x-auth-user: ", s);
      return unavailable();
    }
    auto path = getRequestHeader(":path");  // absent (e.g. CONNECT): sent as empty
    if (!path.ok()) proxy_wasm::logWarn("cannot read :path: ", path.status());

    auto call = httpCall(proxy_wasm::HttpRequest(root().cluster())
                             .header(":method", "GET")
                             .header(":path", root().path())
                             .header(":authority", root().authority())
                             .header("x-original-path", path ? path->view() : std::string_view())
                             .timeout(kAuthTimeout),
                         [this](const proxy_wasm::HttpCallResponse& response) { onAuthResponse(response); });
    if (!call) {
      proxy_wasm::logWarn("cannot call auth cluster '", root().cluster(), "': ", call.status());
      return unavailable();
    }
    return Action::Pause;  // until onAuthResponse
  }

 private:
  // Runs with this stream effective: it may edit the request headers, resume or answer.
  void onAuthResponse(const proxy_wasm::HttpCallResponse& response) {
    if (response.failed()) {
      proxy_wasm::logWarn("auth service call failed");
      unavailable();
      return;
    }
    if (const uint32_t status = response.status(); status != 200) {
      proxy_wasm::logInfo("access denied: auth service answered ", status);
      if (auto s = sendLocalResponse(403, "access forbidden", {{"x-auth", "denied"}}, "auth_denied"); !s)
        proxy_wasm::logError("cannot send the 403 response: ", s);
      return;
    }
    if (auto user = response.header("x-user")) {
      if (auto s = replaceRequestHeader("x-auth-user", *user); !s) proxy_wasm::logWarn("cannot set x-auth-user: ", s);
    } else if (!user.ok()) {
      proxy_wasm::logWarn("cannot read x-user from the auth response: ", user.status());
    }
    if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume the request: ", s);
  }

  Action unavailable() {
    if (auto s = sendLocalResponse(503, "auth service unavailable", {}, "auth_unavailable"); !s)
      proxy_wasm::logError("cannot send the 503 response: ", s);
    return Action::Pause;  // a local response stops the stream anyway
  }
};

proxy_wasm::RegisterContextFactory<AuthRoot, AuthContext> registration{""};

}  // namespace
