// grpc_call: asks a gRPC authorization service whether each request may proceed.
//
// On the request headers the plugin makes a unary gRPC call — cluster grpc-auth, service
// auth.Authorizer, method Check, message = the request's :path bytes, 1 s timeout — and
// pauses the request until the outcome:
//   reply "allow"           -> the request resumes
//   any other reply         -> local 403 "access denied", gRPC status PERMISSION_DENIED (7)
//   the call closed with an error, or could not be made
//                           -> local 503 "auth service unavailable"
// Messages are raw bytes: bring your own protobuf codec (this service speaks plain bytes).
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>
#include <string_view>

namespace {

using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;

constexpr std::string_view kCluster = "grpc-auth";
constexpr std::string_view kService = "auth.Authorizer";
constexpr std::string_view kMethod = "Check";
constexpr std::chrono::milliseconds kTimeout{1000};

class GrpcAuthContext : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");  // absent (e.g. CONNECT): an empty message
    if (!path.ok()) proxy_wasm::logWarn("cannot read :path: ", path.status());

    auto call = grpcCall(proxy_wasm::GrpcRequest(kCluster, kService, kMethod)
                             .message(path ? path->view() : std::string_view())
                             .timeout(kTimeout),
                         [this](const proxy_wasm::GrpcCallResponse& response) { onCheck(response); });
    if (!call) {
      proxy_wasm::logWarn("cannot call ", kService, "/", kMethod, " on cluster '", kCluster, "': ", call.status());
      unavailable();
    }
    return Action::Pause;  // until onCheck (or the local response)
  }

 private:
  // Runs with this stream effective: once, with the reply or with the failure.
  void onCheck(const proxy_wasm::GrpcCallResponse& response) {
    if (!response.ok()) {  // closed without a reply: an error, a timeout
      auto message = response.statusMessage();  // the host's text for the failure
      if (!message) proxy_wasm::logWarn("cannot read the gRPC status message: ", message.status());
      proxy_wasm::logWarn("auth call failed: gRPC status ", response.status(), " '",
                          message ? message->view() : std::string_view(), "'");
      unavailable();
      return;
    }
    auto reply = response.message();
    if (!reply) {
      proxy_wasm::logWarn("cannot read the auth reply: ", reply.status());
      unavailable();
      return;
    }
    if (reply->view() == "allow") {
      if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume the request: ", s);
      return;
    }
    proxy_wasm::logInfo("access denied by the auth service");
    if (auto s = sendLocalResponse(403, "access denied", {}, "auth_denied", GrpcStatus::PermissionDenied); !s)
      proxy_wasm::logError("cannot send the 403 response: ", s);
  }

  void unavailable() {
    if (auto s = sendLocalResponse(503, "auth service unavailable", {}, "auth_unavailable"); !s)
      proxy_wasm::logError("cannot send the 503 response: ", s);
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, GrpcAuthContext> registration{""};

}  // namespace
