// Decodes and validates a scenario (docs/scenario.md) without exceptions: every problem is
// reported with the step and field it comes from.
#include "scenario.h"

#include <map>

#include "input.h"

#include <nlohmann/json.hpp>

namespace proxy_wasm::run {
namespace {

using json = nlohmann::ordered_json;
using Kind = Step::Kind;

const std::map<std::string, Kind>& kinds() {
  static const std::map<std::string, Kind> map = {
      {"http", Kind::Http},
      {"request_headers", Kind::RequestHeaders},
      {"request_body", Kind::RequestBody},
      {"request_trailers", Kind::RequestTrailers},
      {"response_headers", Kind::ResponseHeaders},
      {"response_body", Kind::ResponseBody},
      {"response_trailers", Kind::ResponseTrailers},
      {"finish", Kind::Finish},
      {"tcp_connect", Kind::TcpConnect},
      {"downstream_data", Kind::DownstreamData},
      {"upstream_data", Kind::UpstreamData},
      {"downstream_close", Kind::DownstreamClose},
      {"upstream_close", Kind::UpstreamClose},
      {"tick", Kind::Tick},
      {"advance_time", Kind::AdvanceTime},
      {"http_call_response", Kind::HttpCallResponse},
      {"http_call_failure", Kind::HttpCallFailure},
      {"grpc_response", Kind::GrpcResponse},
      {"grpc_initial_metadata", Kind::GrpcInitialMetadata},
      {"grpc_message", Kind::GrpcMessage},
      {"grpc_trailing_metadata", Kind::GrpcTrailingMetadata},
      {"grpc_close", Kind::GrpcClose},
      {"configure", Kind::Configure},
      {"enqueue", Kind::Enqueue},
  };
  return map;
}

// Which fields each step kind accepts (besides "type").
const std::map<Kind, std::vector<std::string>>& fields() {
  static const std::map<Kind, std::vector<std::string>> map = {
      {Kind::Http, {"stream", "request", "response", "finish"}},
      {Kind::RequestHeaders, {"stream", "headers", "end_of_stream"}},
      {Kind::RequestBody, {"stream", "data", "end_of_stream"}},
      {Kind::RequestTrailers, {"stream", "trailers"}},
      {Kind::ResponseHeaders, {"stream", "headers", "end_of_stream"}},
      {Kind::ResponseBody, {"stream", "data", "end_of_stream"}},
      {Kind::ResponseTrailers, {"stream", "trailers"}},
      {Kind::Finish, {"stream", "connection"}},
      {Kind::TcpConnect, {"connection"}},
      {Kind::DownstreamData, {"connection", "data", "end_of_stream"}},
      {Kind::UpstreamData, {"connection", "data", "end_of_stream"}},
      {Kind::DownstreamClose, {"connection", "peer"}},
      {Kind::UpstreamClose, {"connection", "peer"}},
      {Kind::Tick, {}},
      {Kind::AdvanceTime, {"ms"}},
      {Kind::HttpCallResponse, {"call", "token", "headers", "body", "trailers"}},
      {Kind::HttpCallFailure, {"call", "token"}},
      {Kind::GrpcResponse, {"call", "token", "message"}},
      {Kind::GrpcInitialMetadata, {"call", "token", "metadata"}},
      {Kind::GrpcMessage, {"call", "token", "message"}},
      {Kind::GrpcTrailingMetadata, {"call", "token", "metadata"}},
      {Kind::GrpcClose, {"call", "token", "status", "message"}},
      {Kind::Configure, {"configuration"}},
      {Kind::Enqueue, {"queue", "data"}},
  };
  return map;
}

class Decoder {
 public:
  std::string error;

  bool fail(const std::string& where, const std::string& what) {
    if (error.empty()) error = where + ": " + what;
    return false;
  }

  bool string(const json& j, const std::string& where, std::string* out) {
    if (!j.is_string()) return fail(where, "must be a string");
    *out = j.get<std::string>();
    return true;
  }
  // A configuration: a string as is, any other JSON value serialized.
  bool configuration(const json& j, std::string* out) {
    *out = j.is_string() ? j.get<std::string>() : j.dump();
    return true;
  }
  bool boolean(const json& j, const std::string& where, bool* out) {
    if (!j.is_boolean()) return fail(where, "must be true or false");
    *out = j.get<bool>();
    return true;
  }
  bool number(const json& j, const std::string& where, uint64_t* out) {
    if (!j.is_number_unsigned()) return fail(where, "must be a non-negative integer");
    *out = j.get<uint64_t>();
    return true;
  }
  // Headers: {"name": "value", ...} (in order) or [["name", "value"], ...] (repeats allowed).
  bool headers(const json& j, const std::string& where, host::HeaderList* out) {
    *out = host::HeaderList();
    if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::string value;
        if (!string(it.value(), where + "." + it.key(), &value)) return false;
        out->add(it.key(), value);
      }
      return true;
    }
    if (!j.is_array()) return fail(where, "must be an object or an array of [name, value] pairs");
    for (size_t i = 0; i < j.size(); ++i) {
      const json& pair = j[i];
      if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
        return fail(where + "[" + std::to_string(i) + "]", "must be a [name, value] pair of strings");
      out->add(pair[0].get<std::string>(), pair[1].get<std::string>());
    }
    return true;
  }
  // A body: "text", or a list of chunks ("text" or {"data": ..., "end_of_stream": ...}).
  bool body(const json& j, const std::string& where, std::vector<Chunk>* out) {
    out->clear();
    if (j.is_string()) {
      out->push_back({j.get<std::string>(), false});
      return true;
    }
    if (!j.is_array()) return fail(where, "must be a string or an array of chunks");
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string at = where + "[" + std::to_string(i) + "]";
      Chunk chunk;
      if (j[i].is_string()) {
        chunk.data = j[i].get<std::string>();
      } else if (j[i].is_object()) {
        for (auto it = j[i].begin(); it != j[i].end(); ++it) {
          if (it.key() == "data") {
            if (!string(it.value(), at + ".data", &chunk.data)) return false;
          } else if (it.key() == "end_of_stream") {
            if (!boolean(it.value(), at + ".end_of_stream", &chunk.end_of_stream)) return false;
          } else {
            return fail(at, "unknown field \"" + it.key() + "\"");
          }
        }
      } else {
        return fail(at, "must be a string or {\"data\": ..., \"end_of_stream\": ...}");
      }
      out->push_back(std::move(chunk));
    }
    return true;
  }
  bool message(const json& j, const std::string& where, Message* out) {
    if (!j.is_object()) return fail(where, "must be an object with headers, body, trailers");
    out->present = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string at = where + "." + it.key();
      if (it.key() == "headers") {
        if (!headers(it.value(), at, &out->headers)) return false;
      } else if (it.key() == "body") {
        if (!body(it.value(), at, &out->body)) return false;
      } else if (it.key() == "trailers") {
        host::HeaderList trailers;
        if (!headers(it.value(), at, &trailers)) return false;
        out->trailers = std::move(trailers);
      } else {
        return fail(where, "unknown field \"" + it.key() + "\"");
      }
    }
    // The last part carries end of stream unless a chunk says otherwise.
    if (!out->trailers && !out->body.empty()) {
      bool any = false;
      for (const Chunk& c : out->body) any = any || c.end_of_stream;
      if (!any) out->body.back().end_of_stream = true;
    }
    return true;
  }

  bool step(const json& j, size_t index, Step* out) {
    const std::string where = "steps[" + std::to_string(index) + "]";
    if (!j.is_object()) return fail(where, "must be an object with a \"type\"");
    auto type = j.find("type");
    if (type == j.end() || !type->is_string()) return fail(where, "needs a \"type\"");
    auto kind = kinds().find(type->get<std::string>());
    if (kind == kinds().end()) return fail(where, "unknown step type \"" + type->get<std::string>() + "\"");
    out->kind = kind->second;
    out->type = kind->first;
    const auto& allowed = fields().at(out->kind);
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      const json& v = it.value();
      const std::string at = where + "." + key;
      if (key == "type") continue;
      bool known = false;
      for (const auto& f : allowed) known = known || f == key;
      if (!known) return fail(where, "a \"" + out->type + "\" step has no field \"" + key + "\"");
      bool ok = true;
      if (key == "stream") {
        ok = string(v, at, &out->stream);
      } else if (key == "connection") {
        ok = string(v, at, &out->connection);
      } else if (key == "headers" || key == "trailers" || key == "metadata") {
        ok = headers(v, at, &out->headers);
      } else if (key == "data" || key == "message") {
        ok = string(v, at, &out->data);
      } else if (key == "body") {
        ok = string(v, at, &out->data);
      } else if (key == "end_of_stream") {
        ok = boolean(v, at, &out->end_of_stream);
      } else if (key == "finish") {
        ok = boolean(v, at, &out->finish);
      } else if (key == "ms" || key == "status") {
        ok = number(v, at, &out->number);
      } else if (key == "call") {
        uint64_t n = 0;
        ok = number(v, at, &n);
        out->call = size_t(n);
      } else if (key == "token") {
        uint64_t n = 0;
        ok = number(v, at, &n);
        out->token = uint32_t(n);
      } else if (key == "peer") {
        std::string peer;
        ok = string(v, at, &peer);
        if (ok && peer == "remote") {
          out->peer = PeerType::Remote;
        } else if (ok && peer == "local") {
          out->peer = PeerType::Local;
        } else if (ok && peer == "unknown") {
          out->peer = PeerType::Unknown;
        } else if (ok) {
          ok = fail(at, "must be \"remote\", \"local\" or \"unknown\"");
        }
      } else if (key == "request") {
        ok = message(v, at, &out->request);
      } else if (key == "response") {
        ok = message(v, at, &out->response);
      } else if (key == "configuration") {
        ok = configuration(v, &out->data);
      } else if (key == "queue") {
        ok = string(v, at, &out->queue);
      }
      if (!ok) return false;
    }
    if (out->kind == Kind::AdvanceTime && j.find("ms") == j.end()) return fail(where, "needs \"ms\"");
    if (out->kind == Kind::Enqueue && out->queue.empty()) return fail(where, "needs \"queue\"");
    if (out->kind == Kind::GrpcClose && j.find("status") == j.end()) return fail(where, "needs \"status\"");
    if (out->kind == Kind::Http && !out->request.present) return fail(where, "needs a \"request\"");
    if (out->kind == Kind::Finish && out->stream.empty() && out->connection.empty())
      return fail(where, "needs a \"stream\" or a \"connection\"");
    const bool needs_stream = out->kind >= Kind::RequestHeaders && out->kind <= Kind::ResponseTrailers;
    if (needs_stream && out->stream.empty()) out->stream = "default";
    const bool needs_connection = out->kind >= Kind::TcpConnect && out->kind <= Kind::UpstreamClose;
    if (needs_connection && out->connection.empty()) out->connection = "default";
    return true;
  }

  bool hostOptions(const json& j, host::HostOptions* out) {
    if (!j.is_object()) return fail("host", "must be an object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string at = "host." + it.key();
      const json& v = it.value();
      bool ok = true;
      if (it.key() == "vm_id") {
        ok = string(v, at, &out->vm_id);
      } else if (it.key() == "log_level") {
        static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
        std::string level;
        ok = string(v, at, &level);
        bool found = false;
        for (uint32_t i = 0; ok && i < 7; ++i)
          if (level == levels[i]) {
            out->log_level = LogLevel(i);
            found = true;
          }
        if (ok && !found) ok = fail(at, "must be one of trace, debug, info, warn, error, critical, off");
      } else if (it.key() == "start_time_ns") {
        ok = number(v, at, &out->start_time_ns);
      } else if (it.key() == "finalization") {
        std::string f;
        ok = string(v, at, &f);
        if (ok && f == "envoy") {
          out->http_finalization = host::Finalization::Envoy;
        } else if (ok && f == "spec") {
          out->http_finalization = host::Finalization::Spec;
        } else if (ok) {
          ok = fail(at, "must be \"envoy\" or \"spec\"");
        }
      } else if (it.key() == "clusters") {
        if (!v.is_array()) return fail(at, "must be an array of cluster names");
        std::set<std::string> clusters;
        for (size_t i = 0; ok && i < v.size(); ++i) {
          std::string name;
          ok = string(v[i], at + "[" + std::to_string(i) + "]", &name);
          clusters.insert(name);
        }
        out->clusters = std::move(clusters);
      } else if (it.key() == "properties") {
        if (!v.is_object()) return fail(at, "must be an object of path: value");
        for (auto p = v.begin(); ok && p != v.end(); ++p) {
          std::string value;
          ok = string(p.value(), at + "." + p.key(), &value);
          // Paths are written with dots; on the wire segments are NUL-separated.
          std::string path = p.key();
          if (path.find('\0') == std::string::npos)
            for (char& c : path)
              if (c == '.') c = '\0';
          out->properties[path] = value;
        }
      } else if (it.key() == "buffer_limit") {
        uint64_t n = 0;
        ok = number(v, at, &n);
        out->buffer_limit = size_t(n);
      } else {
        return fail("host", "unknown field \"" + it.key() + "\"");
      }
      if (!ok) return false;
    }
    return true;
  }
};

}  // namespace

bool parseScenario(const std::string& json_text, Scenario* out, std::string* error) {
  json root;
  std::string problem;
  if (!parseJson(json_text, &root, &problem)) {
    *error = "the scenario is not valid JSON: " + problem;
    return false;
  }
  Decoder d;
  if (!root.is_object()) d.fail("scenario", "must be a JSON object");
  for (auto it = root.begin(); d.error.empty() && root.is_object() && it != root.end(); ++it) {
    const json& v = it.value();
    std::string text;
    if (it.key() == "vm_configuration") {
      d.configuration(v, &text);
      out->vm_configuration = text;
    } else if (it.key() == "plugin") {
      if (!v.is_object()) {
        d.fail("plugin", "must be an object");
        break;
      }
      for (auto p = v.begin(); p != v.end(); ++p) {
        if (p.key() == "configuration") {
          d.configuration(p.value(), &text);
          out->configuration = text;
        } else if (p.key() == "root_id") {
          if (d.string(p.value(), "plugin.root_id", &text)) out->root_id = text;
        } else if (p.key() == "name") {
          if (d.string(p.value(), "plugin.name", &text)) out->name = text;
        } else {
          d.fail("plugin", "unknown field \"" + p.key() + "\"");
        }
      }
    } else if (it.key() == "host") {
      d.hostOptions(v, &out->host);
    } else if (it.key() == "steps") {
      if (!v.is_array()) {
        d.fail("steps", "must be an array");
        break;
      }
      for (size_t i = 0; i < v.size() && d.error.empty(); ++i) {
        Step step;
        if (d.step(v[i], i, &step)) out->steps.push_back(std::move(step));
      }
    } else {
      d.fail("scenario", "unknown field \"" + it.key() + "\"");
    }
  }
  if (!d.error.empty()) {
    *error = d.error;
    return false;
  }
  return true;
}

}  // namespace proxy_wasm::run
