#include "records/agent_protocol.h"

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace atelier::records {
namespace {

// The protocol as docs/AGENT-API.md writes it: every word an agent already in the field sends or
// expects. A change here is a protocol change, not a refactoring.
const std::vector<std::pair<Endpoint, std::string>> k_documented_endpoints{
    {Endpoint::register_unit, "register"},
    {Endpoint::next, "next"},
    {Endpoint::progress, "progress"},
    {Endpoint::result, "result"},
};
const std::vector<std::pair<Step, std::string>> k_documented_steps{
    {Step::bench, "bench"},   {Step::confirm, "confirm"}, {Step::wipe, "wipe"},
    {Step::deploy, "deploy"}, {Step::verify, "verify"},   {Step::finish, "finish"},
};
const std::vector<std::pair<ResultStatus, std::string>> k_documented_statuses{
    {ResultStatus::done, "done"},
    {ResultStatus::failed, "failed"},
};
const std::vector<std::pair<Verdict, std::string>> k_documented_verdicts{
    {Verdict::ready, "READY"},
    {Verdict::parts, "PARTS"},
    {Verdict::failed, "FAILED"},
};
const std::vector<std::pair<Action, std::string>> k_documented_actions{
    {Action::poweroff, "poweroff"},
    {Action::reboot, "reboot"},
    {Action::wait, "wait"},
};
const std::vector<std::pair<ConfirmGate, std::string>> k_documented_confirm_gates{
    {ConfirmGate::every_machine, "every_machine"},
    {ConfirmGate::unexpected, "unexpected"},
};

// Every enumerator listed in `all` is spelled as documented, reads back as itself, and no other
// enumerator is listed.
template <class E, std::size_t N, class ToString, class FromString>
void expect_exactly(const std::array<E, N>& all,
                    const std::vector<std::pair<E, std::string>>& documented, ToString to_name,
                    FromString from_name) {
  ASSERT_EQ(all.size(), documented.size());
  for (std::size_t i = 0; i < documented.size(); ++i) {
    const auto& [value, name] = documented[i];
    EXPECT_EQ(all[i], value) << "the list of all values is in the documented order";
    EXPECT_EQ(to_name(value), name);
    EXPECT_EQ(from_name(name), value) << name;
  }
}

TEST(AgentProtocol, EndpointsAreTheDocumentedOnes) {
  // Why: an agent and a server built from different trees must still find each other's endpoints.
  expect_exactly(
      k_endpoints, k_documented_endpoints, [](Endpoint e) { return to_string(e); },
      [](std::string_view n) { return endpoint_from_string(n); });
}

TEST(AgentProtocol, StepsAreTheDocumentedOnes) {
  // Why: the step is stored in pipeline_jobs and sent to agents; both read it back by name.
  expect_exactly(
      k_steps, k_documented_steps, [](Step s) { return to_string(s); },
      [](std::string_view n) { return step_from_string(n); });
}

TEST(AgentProtocol, ResultStatusesAreTheDocumentedOnes) {
  expect_exactly(
      k_result_statuses, k_documented_statuses, [](ResultStatus s) { return to_string(s); },
      [](std::string_view n) { return result_status_from_string(n); });
}

TEST(AgentProtocol, VerdictsAreTheDocumentedOnes) {
  // Why: the agent's exit code depends on reading READY back.
  expect_exactly(
      k_verdicts, k_documented_verdicts, [](Verdict v) { return to_string(v); },
      [](std::string_view n) { return verdict_from_string(n); });
}

TEST(AgentProtocol, ActionsAreTheDocumentedOnes) {
  // Why: an action the agent misreads would power off a machine that should wait, or the reverse.
  expect_exactly(
      k_actions, k_documented_actions, [](Action a) { return to_string(a); },
      [](std::string_view n) { return action_from_string(n); });
}

TEST(AgentProtocol, ConfirmGatesAreTheDocumentedOnes) {
  // Why: the agent words the confirm screen from this code in the program's language.
  expect_exactly(
      k_confirm_gates, k_documented_confirm_gates, [](ConfirmGate g) { return to_string(g); },
      [](std::string_view n) { return confirm_gate_from_string(n); });
}

TEST(AgentProtocol, UnknownWordsAreRefusedNotGuessed) {
  // Why: a word from a newer server must be refused by name, never mapped to a near one or thrown.
  EXPECT_EQ(step_from_string(""), std::nullopt);
  EXPECT_EQ(step_from_string("Bench"), std::nullopt);
  EXPECT_EQ(step_from_string("purge"), std::nullopt);
  EXPECT_EQ(verdict_from_string("ready"), std::nullopt);
  EXPECT_EQ(action_from_string("halt"), std::nullopt);
  EXPECT_EQ(result_status_from_string("ok"), std::nullopt);
  EXPECT_EQ(endpoint_from_string("register_unit"), std::nullopt);
  EXPECT_EQ(confirm_gate_from_string("confirm"), std::nullopt);
}

TEST(AgentProtocol, PathsAreUnderApiV1) {
  EXPECT_EQ(agent_api_path(Endpoint::register_unit), "/api/v1/register");
  EXPECT_EQ(agent_api_path(Endpoint::result), "/api/v1/result");
  for (const Endpoint e : k_endpoints) {
    EXPECT_EQ(endpoint_from_path(agent_api_path(e)), e);
  }
  EXPECT_EQ(endpoint_from_path("/api/v1/"), std::nullopt);
  EXPECT_EQ(endpoint_from_path("/api/v2/next"), std::nullopt);
  EXPECT_EQ(endpoint_from_path("/next"), std::nullopt);
  EXPECT_EQ(endpoint_from_path("/api/v1/next/"), std::nullopt);
}

std::string agent_api_doc() {
  std::ifstream in(std::string(ATELIER_SOURCE_DIR) + "/docs/AGENT-API.md");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AgentProtocol, EveryWordIsInTheDocumentation) {
  // Why: docs/AGENT-API.md is the protocol's specification; a word it does not mention is a word
  // another implementation cannot know.
  const std::string doc = agent_api_doc();
  ASSERT_FALSE(doc.empty()) << "docs/AGENT-API.md not found";
  std::vector<std::string_view> words;
  for (const Endpoint e : k_endpoints) {
    words.push_back(to_string(e));
  }
  for (const Step s : k_steps) {
    words.push_back(to_string(s));
  }
  for (const ResultStatus s : k_result_statuses) {
    words.push_back(to_string(s));
  }
  for (const Verdict v : k_verdicts) {
    words.push_back(to_string(v));
  }
  for (const Action a : k_actions) {
    words.push_back(to_string(a));
  }
  for (const ConfirmGate g : k_confirm_gates) {
    words.push_back(to_string(g));
  }
  // Values are written `word` or "word" in the document.
  for (const std::string_view w : words) {
    const std::string word(w);
    EXPECT_TRUE(doc.find("`" + word + "`") != std::string::npos ||
                doc.find("\"" + word + "\"") != std::string::npos)
        << word;
  }
  // Member names appear as whole words (in JSON snippets or in `backticks`).
  using namespace agent_field;
  using namespace progress_field;
  using namespace result_field;
  const std::vector<std::string_view> fields{
      k_token,
      k_mac,
      k_inventory,
      k_unit,
      k_state,
      k_outcome,
      k_language,
      k_job,
      k_step,
      k_attempt,
      k_params,
      k_wait,
      k_retry_after,
      k_position,
      agent_field::k_message,
      k_progress,
      k_ok,
      k_stored,
      k_status,
      k_result,
      k_reason,
      k_accepted,
      k_repeat,
      k_error,
      k_stop,
      k_operation,
      k_device,
      k_done_bytes,
      k_total_bytes,
      k_bytes_per_second,
      k_eta_seconds,
      k_detail,
      param_field::k_budget_seconds,
      param_field::k_profile,
      param_field::k_methods,
      param_field::k_verify,
      param_field::k_hidden_areas,
      param_field::k_site,
      param_field::k_tag,
      param_field::k_profile_toml,
      param_field::k_image_url,
      param_field::k_image_sha256,
      param_field::k_hostname,
      param_field::k_verdict,
      param_field::k_message,
      param_field::k_action,
      param_field::k_failed_step,
      param_field::k_reason,
      param_field::k_gate,
      param_field::k_why,
      k_bench,
      k_records,
      k_summary,
  };
  for (const std::string_view f : fields) {
    const std::regex whole_word("\\b" + std::string(f) + "\\b");
    EXPECT_TRUE(std::regex_search(doc, whole_word)) << f;
  }
}

} // namespace
} // namespace atelier::records
