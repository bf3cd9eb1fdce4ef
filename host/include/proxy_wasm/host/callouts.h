// HTTP and gRPC callouts as the host model records them (Host::httpCalls(),
// Host::grpcCalls()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "proxy_wasm/host/header_list.h"

namespace proxy_wasm::host {

struct HttpCallRecord {
  uint32_t token = 0;
  uint32_t root_id = 0;     // the root the response goes to
  uint32_t context_id = 0;  // the context that issued it (a stream may be gone by the response)
  std::string upstream;
  HeaderList headers;
  std::string body;
  HeaderList trailers;
  uint32_t timeout_ms = 0;
};

struct GrpcCallRecord {
  uint32_t token = 0;
  uint32_t root_id = 0;     // the root the events go to
  uint32_t context_id = 0;  // the context that issued it
  bool stream = false;
  std::string upstream, service, method;
  HeaderList initial_metadata;
  std::string message;                 // unary request
  std::vector<std::string> sent;       // stream messages sent by the plugin
  bool local_closed = false;           // the plugin called proxy_grpc_close / end_stream
  bool cancelled = false;
  bool remote_closed = false;          // on_grpc_close was delivered
  uint32_t timeout_ms = 0;
};

}  // namespace proxy_wasm::host
