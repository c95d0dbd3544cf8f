// The fault corpus of the reliability tests (bad inputs mixed into good generated letters) and
// the helpers that run imr-index as a child process and check a database for whole letters.
#include "fault_corpus.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xapian.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>

#include "imrdex/corpus/generator.hpp"
#include "imrdex/core/json.hpp"

namespace imrdex::testing {

namespace {

std::string jsonl_record(const std::string& id, const std::string& text) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("id", id).field("text", text).end_object();
    return out;
}

// The first letter at or after `from` that `pick` accepts.
GeneratedLetter find_letter(const LetterGenerator& gen, std::uint64_t from,
                            const std::function<bool(const GeneratedLetter&)>& pick) {
    for (std::uint64_t i = from; i < from + 1000; ++i) {
        GeneratedLetter g = gen.generate(i);
        if (pick(g)) return g;
    }
    throw std::runtime_error("fault corpus: no generated letter fits");
}

bool has_cover(const GeneratedLetter& g) { return (g.features & kFeatureCoverBlock) != 0; }

}  // namespace

FaultCorpus write_fault_corpus(const fs::path& dir, const FaultOptions& o) {
    FaultCorpus c;
    c.input = dir / "in";
    const fs::path in = c.input;
    fs::create_directories(in);
    const LetterGenerator gen(o.seed);
    auto reject = [&](const fs::path& p, const std::string& reason) {
        c.rejects.insert({p.string(), reason});
    };

    // Good letters: .txt files named by id (letters without a cover block take their id from
    // the file name) and JSON Lines records.
    std::uint64_t next = 0;
    for (; next < o.good_txt; ++next) {
        const GeneratedLetter g = gen.generate(next);
        write_file(in / "txt" / (g.truth.id + ".txt"), g.text);
        c.good[g.truth.id] = g.truth.items.size();
    }
    std::string jsonl;
    for (std::uint64_t k = 0; k < o.good_jsonl; ++k, ++next) {
        const GeneratedLetter g = gen.generate(next);
        jsonl += jsonl_record(g.truth.id, g.text) + "\n";
        c.good[g.truth.id] = g.truth.items.size();
    }
    write_file(in / "good.jsonl", jsonl);

    // A good letter with Latin-1 bytes in its case summary: indexed, read as Latin-1.
    {
        const GeneratedLetter g = find_letter(gen, next + 100, [](const GeneratedLetter& l) {
            const std::size_t s = l.text.find("CLINICAL CASE SUMMARY");
            return s != std::string::npos && l.text.find("records:", s) != std::string::npos;
        });
        std::string text = g.text;
        const std::size_t at = text.find('\n', text.find("records:", text.find("CLINICAL CASE SUMMARY")));
        text.insert(at + 1, "Seen at the Clinique Fran\xE7" "aise de R\xE9" "adaptation.\n");
        write_file(in / "latin1" / (g.truth.id + ".txt"), text);
        c.good[g.truth.id] = g.truth.items.size();
        c.latin1_id = g.truth.id;
        c.latin1_word = "Fran\xC3\xA7" "aise";
    }

    // A letter cut off in the middle of a word of its last rationale.
    {
        const GeneratedLetter g = find_letter(gen, next + 200, [](const GeneratedLetter& l) {
            return l.text.rfind("Decision rationale:") != std::string::npos;
        });
        std::size_t cut = g.text.rfind("Decision rationale:") + 40;
        while (cut + 1 < g.text.size() &&
               !(std::isalpha(static_cast<unsigned char>(g.text[cut - 1])) &&
                 std::isalpha(static_cast<unsigned char>(g.text[cut])))) {
            ++cut;
        }
        const fs::path p = in / "cut" / (g.truth.id + ".txt");
        write_file(p, g.text.substr(0, cut));
        reject(p, "truncated");
    }

    // The same id twice with different text: the first in input order (dup_a) is kept.
    {
        const GeneratedLetter kept = find_letter(gen, next + 300, has_cover);
        const GeneratedLetter other = find_letter(gen, next + 400, [&](const GeneratedLetter& l) {
            return !has_cover(l) && l.truth.items.size() != kept.truth.items.size();
        });
        const fs::path a = in / "dup_a" / (kept.truth.id + ".txt");
        const fs::path z = in / "dup_z" / (kept.truth.id + ".txt");  // id from the file name
        write_file(a, kept.text);
        write_file(z, other.text);
        c.good[kept.truth.id] = kept.truth.items.size();
        c.dup_id = kept.truth.id;
        c.dup_kept = a.string();
        c.dup_rejected = z.string();
        reject(z, "duplicate_id");
        c.reject_detail[z.string()] = a.string();
    }

    // JSON Lines: a record without text, a line cut off at the end of the file.
    {
        const GeneratedLetter g1 = gen.generate(next + 500);
        const GeneratedLetter g2 = gen.generate(next + 501);
        const GeneratedLetter g3 = gen.generate(next + 502);
        std::string bad = jsonl_record(g1.truth.id, g1.text) + "\n";
        bad += "{\"id\": \"no-text-1\", \"txt\": \"misspelt field\"}\n";
        bad += jsonl_record(g2.truth.id, g2.text) + "\n";
        bad += jsonl_record(g3.truth.id, g3.text).substr(0, 300);
        write_file(in / "bad.jsonl", bad);
        c.good[g1.truth.id] = g1.truth.items.size();
        c.good[g2.truth.id] = g2.truth.items.size();
        reject(in.string() + "/bad.jsonl:2", "no_text");
        reject(in.string() + "/bad.jsonl:4", "bad_json");
    }

    // A 100 MB line, then a good record the reader must still reach.
    if (o.huge_line) {
        const GeneratedLetter g = gen.generate(next + 510);
        std::string big = "{\"id\": \"huge\", \"text\": \"";
        const std::string words = "lorem ipsum dolor sit amet ";
        big.reserve(100'000'100);
        while (big.size() < 100'000'000) big += words;
        big += "\"}\n" + jsonl_record(g.truth.id, g.text) + "\n";
        write_file(in / "big.jsonl", big);
        c.good[g.truth.id] = g.truth.items.size();
        reject(in.string() + "/big.jsonl:1", "too_large");
    }

    // Empty file, random bytes named .txt.
    write_file(in / "empty.txt", "");
    reject(in / "empty.txt", "empty");
    {
        std::mt19937_64 rng(o.seed);
        std::string bytes(8192, '\0');
        for (char& b : bytes) b = static_cast<char>(rng() & 0xFF);
        write_file(in / "random.txt", bytes);
        reject(in / "random.txt", "no_items");
    }

    // PDFs: corrupt, encrypted, no text layer (the last two are fixtures of tests/data/pdf).
    write_file(in / "corrupt.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                                   "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nstr\x01\x02");
    reject(in / "corrupt.pdf", "bad_pdf");
    const fs::path pdfs = fs::path(IMRDEX_TEST_DATA_DIR) / "pdf";
    fs::copy_file(pdfs / "encrypted.pdf", in / "encrypted.pdf");
    reject(in / "encrypted.pdf", "bad_pdf");
    c.reject_detail[(in / "encrypted.pdf").string()] = "encrypted";
    fs::copy_file(pdfs / "no_text.pdf", in / "no_text.pdf");
    reject(in / "no_text.pdf", "bad_pdf");
    c.reject_detail[(in / "no_text.pdf").string()] = "no text layer";

    // Unreadable: root reads any file whatever its mode, so a file whose read fails for root
    // too (/proc/self/mem at offset 0: EIO); and a mode-000 file when not root.
    std::error_code ec;
    if (fs::exists("/proc/self/mem", ec)) {
        fs::create_symlink("/proc/self/mem", in / "unreadable.txt");
        reject(in / "unreadable.txt", "unreadable");
        c.unreadable_proc = true;
    }
    if (::geteuid() != 0) {
        write_file(in / "noperm.txt", gen.generate(next + 520).text);
        fs::permissions(in / "noperm.txt", fs::perms::none);
        reject(in / "noperm.txt", "unreadable");
    }

    // Symlink loops: two file links pointing at each other (rejected: ELOOP), and a directory
    // link back to the top (not an error: every directory is read once).
    fs::create_symlink("loop_b.txt", in / "loop_a.txt");
    fs::create_symlink("loop_a.txt", in / "loop_b.txt");
    reject(in / "loop_a.txt", "unreadable");
    reject(in / "loop_b.txt", "unreadable");
    fs::create_directories(in / "sub");
    fs::create_directory_symlink("..", in / "sub" / "back");
    return c;
}

// ---- Running imr-index -------------------------------------------------------------------

pid_t spawn_index(const std::vector<std::string>& args, const ChildOptions& options) {
    std::vector<std::string> argv_s{IMRDEX_INDEX_BIN};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string err = options.err.empty() ? "/dev/null" : options.err.string();
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    // Child: only async-signal-safe calls from here to exec.
    const int null_fd = ::open("/dev/null", O_WRONLY);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null_fd >= 0) ::dup2(null_fd, STDOUT_FILENO);
    if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
    if (options.fsize_limit != 0) {
        // Writes past the limit then fail with EFBIG instead of killing the process.
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit lim{options.fsize_limit, options.fsize_limit};
        ::setrlimit(RLIMIT_FSIZE, &lim);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

int wait_child(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

int run_index(const std::vector<std::string>& args, const ChildOptions& options) {
    return wait_child(spawn_index(args, options));
}

// ---- Checking a database -----------------------------------------------------------------

std::map<std::string, std::size_t> letter_items(const fs::path& db) {
    std::map<std::string, std::size_t> out;
    const Xapian::Database d(db.string());
    for (auto t = d.allterms_begin("XL"); t != d.allterms_end("XL"); ++t) {
        out[(*t).substr(2)] = t.get_termfreq();
    }
    return out;
}

std::vector<std::string> partial_letters(const std::map<std::string, std::size_t>& found,
                                         const std::map<std::string, std::size_t>& truth) {
    std::vector<std::string> bad;
    for (const auto& [id, n] : found) {
        const auto it = truth.find(id);
        if (it == truth.end()) {
            bad.push_back(id + ": " + std::to_string(n) + " items, not a letter of the input");
        } else if (it->second != n) {
            bad.push_back(id + ": " + std::to_string(n) + " items, expected " +
                          std::to_string(it->second));
        }
    }
    return bad;
}

std::vector<std::string> xapian_check_shards(const fs::path& db, bool& available) {
    std::vector<std::string> failures;
    const std::string check = find_program("xapian-check");
    available = !check.empty();
    if (!available) return failures;
    std::istringstream stub(read_file(db / "XAPIANDB"));
    for (std::string line; std::getline(stub, line);) {
        if (line.empty() || line[0] == '#') continue;
        const std::string shard = line.substr(line.find(' ') + 1);
        const RunResult r = run_command(shell_quote(check) + " " + q(db / shard) + " 2>&1");
        if (r.code != 0) failures.push_back(shard + ": " + r.out);
    }
    return failures;
}

std::map<std::string, std::size_t> write_generated_jsonl(const fs::path& file, std::uint64_t seed,
                                                         std::uint64_t first, std::uint64_t count) {
    std::map<std::string, std::size_t> truth;
    const LetterGenerator gen(seed);
    std::string out;
    GeneratedLetter g;
    for (std::uint64_t i = first; i < first + count; ++i) {
        gen.generate(i, g);
        out += jsonl_record(g.truth.id, g.text);
        out.push_back('\n');
        truth[g.truth.id] = g.truth.items.size();
    }
    write_file(file, out);
    return truth;
}

}  // namespace imrdex::testing
