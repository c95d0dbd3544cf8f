// imr-corpus: writes a deterministic synthetic corpus of IMR letters plus its truth file.
#include <unistd.h>

#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "imrdex/cli/program.hpp"
#include "imrdex/corpus/generator.hpp"

int main(int argc, char** argv) {
    CLI::App app{
        "imr-corpus: generate synthetic California IMR determination letters.\n\n"
        "Letters look like the published letters as pdftotext leaves them: newer ones with the\n"
        "cover block (case number, dates, priority) and the credentials list, older ones without\n"
        "a cover block, with the credentials sentence and a blank line after every line; wrapped\n"
        "requests, decisions alone on a line, partial authorizations, guideline citations, page\n"
        "breaks. Letter i depends only on (seed, i): the output is byte-identical for any\n"
        "--threads.\n\n"
        "Outputs under DIR:\n"
        "  txt/CMyy/nnn/CMyy-nnnnnnn.txt   one file per letter (--format txt|both)\n"
        "  letters.jsonl[.zst]             one {\"id\": ..., \"text\": ...} per line (jsonl|both)\n"
        "  truth.jsonl[.zst]               always: one extraction record per letter, in letter\n"
        "                                  order, with every field the generator put in it (the\n"
        "                                  form of `imr-index --extract`); its `source` is\n"
        "                                  DIR/letters.jsonl[.zst]:LINE, or the .txt path when no\n"
        "                                  JSON Lines are written.\n"
        "With --zstd, each batch of 512 letters is one zstd frame (level 3); the files are\n"
        "ordinary zstd streams (`zstd -d` reads them)."};
    std::uint64_t letters = 1000;
    std::uint64_t seed = 1;
    std::string out;
    std::string format = "jsonl";
    bool zstd = false;
    unsigned threads = 0;
    app.add_option("-n,--letters", letters, "Number of letters to generate")
        ->capture_default_str()
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{12'000'000}));
    app.add_option("-s,--seed", seed, "Seed: the same seed gives the same corpus")
        ->capture_default_str();
    app.add_option("-o,--out", out, "Output directory (created if missing)")->required();
    app.add_option("-f,--format", format, "txt, jsonl or both")
        ->capture_default_str()
        ->check(CLI::IsMember({"txt", "jsonl", "both"}));
    app.add_flag("--zstd", zstd, "Compress letters.jsonl and truth.jsonl with zstd");
    app.add_option("-j,--threads", threads, "Worker threads (0: all cores)")->capture_default_str();
    app.footer(imrdex::cli::exit_codes_help(
        "  0 corpus written   1 it could not be written (e.g. no space)   2 usage error\n"));
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;

    imrdex::CorpusOptions o;
    o.letters = letters;
    o.seed = seed;
    o.out = out;
    o.format = format == "txt"    ? imrdex::CorpusFormat::txt
               : format == "both" ? imrdex::CorpusFormat::both
                                  : imrdex::CorpusFormat::jsonl;
    o.zstd = zstd;
    o.threads = threads;
    if (isatty(STDERR_FILENO) != 0) o.progress = imrdex::cli::count_progress("imr-corpus");

    const imrdex::cli::ThreadLimit limit(threads);
    const imrdex::cli::ErrorStyle style{"imr-corpus: error", 1, "", {}};
    return imrdex::cli::run_guarded(style, [&] {
        const imrdex::CorpusStats s = imrdex::write_corpus(o);
        std::printf(
            "imr-corpus: %llu letters, %llu items (%.1f%% overturned), %.1f MB of text to %s in "
            "%.2f s (%.0f letters/s), seed %llu\n",
            static_cast<unsigned long long>(s.letters), static_cast<unsigned long long>(s.items),
            s.items > 0 ? 100.0 * static_cast<double>(s.overturned) / static_cast<double>(s.items)
                        : 0.0,
            static_cast<double>(s.text_bytes) / 1e6, out.c_str(), s.seconds,
            s.seconds > 0 ? static_cast<double>(s.letters) / s.seconds : 0.0,
            static_cast<unsigned long long>(seed));
        return imrdex::cli::kExitOk;
    });
}
