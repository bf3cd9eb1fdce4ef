// Cookbook: a unary gRPC call from a stream; the request waits for the answer.
#include <proxy_wasm/proxy_wasm.h>

#include <chrono>

namespace {

class GrpcCheck : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    auto path = getRequestHeader(":path");
    // The message is a serialized protobuf; this service takes the path as raw bytes.
    auto call = grpcCall(proxy_wasm::GrpcRequest("policy", "policy.v1.Policy", "Check")
                             .metadata("x-caller", "cookbook")
                             .message(path ? path->view() : "")
                             .timeout(std::chrono::milliseconds(200)),
                         [this](const proxy_wasm::GrpcCallResponse& response) { onAnswer(response); });
    if (!call) {
      proxy_wasm::logWarn("cannot call the policy service: ", call.status());
      return proxy_wasm::Action::Continue;  // fail open
    }
    return proxy_wasm::Action::Pause;
  }

 private:
  void onAnswer(const proxy_wasm::GrpcCallResponse& response) {
    auto message = response.message();
    if (response.ok() && message && message->view() == "deny") {
      if (auto s = sendLocalResponse(403, "denied by policy"); !s) proxy_wasm::logError("cannot deny: ", s);
      return;
    }
    if (!response.ok()) proxy_wasm::logWarn("policy call failed with gRPC status ", uint32_t(response.status()));
    if (auto s = continueRequest(); !s) proxy_wasm::logError("cannot resume: ", s);
  }
};

proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, GrpcCheck> registration{"grpc_check"};

}  // namespace
