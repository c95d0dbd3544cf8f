// Input discovery and reading: directories, .txt, .pdf, .jsonl and .jsonl.zst become a stream of
// raw letters in batches, with every input that cannot be read reported as a Rejection.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace imrdex {

// One letter's text before parsing.
struct RawLetter {
    std::string text;         // letter text, or the file's bytes when `pdf` is true
    bool pdf = false;         // text extraction (costly) is left to the parallel stage
    std::string fallback_id;  // file stem, or the JSONL "id" (else "<stem>-<line>")
    std::string source;       // file path, or "path:line" for JSON Lines
};

// An input that was not indexed. `reason` is a stable code, `detail` says what happened:
// unreadable, empty, too_large, bad_json, no_text, bad_zstd, bad_pdf, unsupported, no_items,
// and from the indexer: truncated, bad_id, duplicate_id (detail names the source kept).
struct Rejection {
    std::string source;
    std::string reason;
    std::string detail;
};

enum class InputKind { text, pdf, jsonl, jsonl_zst };

struct InputFile {
    std::filesystem::path path;
    InputKind kind = InputKind::text;
    std::uint64_t size = 0;  // bytes on disk (compressed size for .zst), for progress and ETA
};

// The kind of a file by its name, or false when the name has no input extension.
bool input_kind_of(const std::filesystem::path& path, InputKind& kind);

// Expands the command-line inputs into files, in a stable order (each directory's entries
// sorted). Directories are walked recursively following symlinks, each real directory visited
// once (so symlink loops end); files inside directories without an input extension are skipped
// silently, but a named file of unknown kind, a missing path or an unreadable entry is rejected.
std::vector<InputFile> expand_inputs(const std::vector<std::string>& inputs,
                                     std::vector<Rejection>& rejections);

struct ReaderLimits {
    // Longer letters/lines are rejected (real letters are well under 1 MB of text).
    std::size_t max_letter_bytes = std::size_t{64} << 20;
    std::size_t chunk_bytes = std::size_t{4} << 20;         // JSONL / zstd read size
};

// A batch of work for the pipeline: letters plus the rejections met while reading them.
struct InputBatch {
    std::vector<RawLetter> letters;
    std::vector<Rejection> rejections;
    std::uint64_t text_bytes = 0;   // letter text bytes in `letters`
    std::uint64_t input_bytes = 0;  // file bytes consumed while filling the batch (for ETA)
};

// Pull-based reader over a list of files, one batch at a time; never throws for bad input
// (those become rejections). Not thread-safe: it is the pipeline's serial input stage.
class InputReader {
public:
    explicit InputReader(std::vector<InputFile> files, ReaderLimits limits = {});
    ~InputReader();
    InputReader(const InputReader&) = delete;
    InputReader& operator=(const InputReader&) = delete;

    // Fills `batch` (cleared first) with up to `max_letters` letters or about `max_bytes` of
    // text. Returns false when every input is exhausted and the batch is empty. When `stop`
    // becomes true the reader ends early (as if the inputs had ended).
    bool next(InputBatch& batch, std::size_t max_letters, std::size_t max_bytes,
              const std::atomic<bool>* stop = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Convenience for tests and small tools: every letter and rejection of `inputs`.
void read_all(const std::vector<std::string>& inputs, std::vector<RawLetter>& letters,
              std::vector<Rejection>& rejections);

}  // namespace imrdex
