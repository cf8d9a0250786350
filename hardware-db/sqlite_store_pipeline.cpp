// SqliteStore: agent sessions and pipeline jobs (schema version 5, migrations.cpp).
#include "hardware-db/sqlite_rows.h"
#include "hardware-db/sqlite_store.h"

#include <fmt/format.h>

namespace atelier::hwdb {
namespace {

using namespace sqlite_rows;

constexpr std::string_view k_session_columns =
    "id, unit_id, token_sha256, mac, client_ip, started_at, superseded_at";
constexpr std::string_view k_job_columns =
    "id, unit_id, session_id, step, attempt, status, issued_at, finished_at, params_json, "
    "result_json, progress_json, progress_at";

AgentSession read_session(const Statement& s) {
  AgentSession a;
  a.id = s.column_int(0);
  a.unit_id = s.column_int(1);
  a.token_sha256 = s.column_text(2);
  a.mac = s.column_text(3);
  a.client_ip = s.column_text(4);
  a.started_at = ts(s, 5);
  a.superseded_at = optional_ts(s, 6);
  return a;
}

PipelineJob read_job(const Statement& s) {
  PipelineJob j;
  j.id = s.column_int(0);
  j.unit_id = s.column_int(1);
  j.session_id = s.column_int(2);
  j.step = s.column_text(3);
  j.attempt = static_cast<int>(s.column_int(4));
  j.status = s.column_text(5);
  j.issued_at = ts(s, 6);
  j.finished_at = optional_ts(s, 7);
  j.params_json = s.column_text(8);
  j.result_json = s.column_text(9);
  j.progress_json = s.column_text(10);
  j.progress_at = optional_ts(s, 11);
  return j;
}

} // namespace

Result<RowId> SqliteStore::add_session(const AgentSession& a) {
  return insert("INSERT INTO agent_sessions(unit_id, token_sha256, mac, client_ip, started_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, a.unit_id)
                      .bind(2, a.token_sha256)
                      .bind(3, a.mac)
                      .bind(4, a.client_ip)
                      .bind(5, base::format_rfc3339(a.started_at));
                });
}

Result<std::optional<AgentSession>> SqliteStore::session_by_token(const std::string& token_sha256) {
  return first(query<AgentSession>(
      m_db, fmt::format("SELECT {} FROM agent_sessions WHERE token_sha256 = ?", k_session_columns),
      [&](Statement& s) { s.bind(1, token_sha256); }, read_session));
}

Result<std::optional<AgentSession>> SqliteStore::session_by_id(RowId id) {
  return first(query<AgentSession>(
      m_db, fmt::format("SELECT {} FROM agent_sessions WHERE id = ?", k_session_columns),
      [&](Statement& s) { s.bind(1, id); }, read_session));
}

Result<int> SqliteStore::supersede_sessions(RowId unit_id, RowId keep_session_id, Timestamp at) {
  auto r = execute(m_db,
                   "UPDATE agent_sessions SET superseded_at = ? "
                   "WHERE unit_id = ? AND id <> ? AND superseded_at IS NULL",
                   [&](Statement& s) {
                     s.bind(1, base::format_rfc3339(at)).bind(2, unit_id).bind(3, keep_session_id);
                   });
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.changes();
}

Result<RowId> SqliteStore::add_job(const PipelineJob& j) {
  return insert("INSERT INTO pipeline_jobs(unit_id, session_id, step, attempt, status, issued_at, "
                "params_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [&](Statement& s) {
                  s.bind(1, j.unit_id)
                      .bind(2, j.session_id)
                      .bind(3, j.step)
                      .bind(4, std::int64_t{j.attempt})
                      .bind(5, j.status)
                      .bind(6, base::format_rfc3339(j.issued_at))
                      .bind(7, j.params_json);
                });
}

Result<std::optional<PipelineJob>> SqliteStore::job_by_id(RowId id) {
  return first(query<PipelineJob>(
      m_db, fmt::format("SELECT {} FROM pipeline_jobs WHERE id = ?", k_job_columns),
      [&](Statement& s) { s.bind(1, id); }, read_job));
}

Result<std::vector<PipelineJob>> SqliteStore::jobs(RowId unit_id) {
  return query<PipelineJob>(
      m_db,
      fmt::format("SELECT {} FROM pipeline_jobs WHERE unit_id = ? ORDER BY id", k_job_columns),
      [&](Statement& s) { s.bind(1, unit_id); }, read_job);
}

Result<bool> SqliteStore::finish_job(RowId id, const std::string& status,
                                     const std::string& result_json, Timestamp at) {
  auto r = execute(
      m_db,
      "UPDATE pipeline_jobs SET status = ?, result_json = ?, finished_at = ? "
      "WHERE id = ? AND status = 'issued'",
      [&](Statement& s) {
        s.bind(1, status).bind(2, result_json).bind(3, base::format_rfc3339(at)).bind(4, id);
      });
  if (!r) {
    return std::unexpected(r.error());
  }
  return m_db.changes() == 1;
}

Result<void> SqliteStore::set_job_progress(RowId id, const std::string& progress_json,
                                           Timestamp at) {
  return execute(m_db,
                 "UPDATE pipeline_jobs SET progress_json = ?, progress_at = ? "
                 "WHERE id = ? AND status = 'issued'",
                 [&](Statement& s) {
                   s.bind(1, progress_json).bind(2, base::format_rfc3339(at)).bind(3, id);
                 });
}

Result<void> SqliteStore::abandon_jobs(RowId session_id, Timestamp at) {
  return execute(m_db,
                 "UPDATE pipeline_jobs SET status = 'abandoned', finished_at = ? "
                 "WHERE session_id = ? AND status = 'issued'",
                 [&](Statement& s) { s.bind(1, base::format_rfc3339(at)).bind(2, session_id); });
}

Result<std::vector<PipelineJob>> SqliteStore::latest_jobs() {
  return query<PipelineJob>(
      m_db,
      fmt::format("SELECT {} FROM pipeline_jobs WHERE id IN "
                  "(SELECT MAX(id) FROM pipeline_jobs GROUP BY unit_id) ORDER BY unit_id",
                  k_job_columns),
      [](Statement&) {}, read_job);
}

} // namespace atelier::hwdb
