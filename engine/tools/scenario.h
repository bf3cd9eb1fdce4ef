// proxy-wasm-run's scenario: what the proxy does to the plugin, step by step, decoded and
// validated from JSON before anything runs (docs/scenario.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "proxy_wasm/host/host.h"

namespace proxy_wasm::run {

struct Chunk {
  std::string data;
  bool end_of_stream = false;
};

// One direction of an "http" step: headers, body chunks, trailers.
struct Message {
  bool present = false;
  host::HeaderList headers;
  std::vector<Chunk> body;
  std::optional<host::HeaderList> trailers;
};

struct Step {
  enum class Kind {
    Http,  // a whole exchange on a new stream
    RequestHeaders,
    RequestBody,
    RequestTrailers,
    ResponseHeaders,
    ResponseBody,
    ResponseTrailers,
    Finish,
    TcpConnect,
    DownstreamData,
    UpstreamData,
    DownstreamClose,
    UpstreamClose,
    Tick,
    AdvanceTime,
    HttpCallResponse,
    HttpCallFailure,
    GrpcResponse,
    GrpcInitialMetadata,
    GrpcMessage,
    GrpcTrailingMetadata,
    GrpcClose,
    Configure,
    Enqueue,
  };
  Kind kind;
  std::string type;        // as written
  std::string stream;      // HTTP stream name
  std::string connection;  // TCP connection name
  host::HeaderList headers;  // headers, trailers or metadata
  std::string data;          // body chunk, TCP data, gRPC message, configuration, queue item
  bool end_of_stream = false;
  uint64_t number = 0;  // milliseconds, gRPC status
  PeerType peer = PeerType::Remote;
  std::optional<size_t> call;      // index among dispatched calls
  std::optional<uint32_t> token;   // or the call's token
  std::string queue;
  Message request, response;  // Http
  bool finish = true;         // Http: finish the stream at the end
};

struct Scenario {
  std::optional<std::string> vm_configuration;
  std::optional<std::string> configuration;
  std::optional<std::string> root_id;
  std::optional<std::string> name;
  host::HostOptions host;
  std::vector<Step> steps;
};

// Decodes a scenario; false with a message naming the offending step or field.
bool parseScenario(const std::string& json_text, Scenario* out, std::string* error);

}  // namespace proxy_wasm::run
