// Builds one synthetic IMR letter (text + truth record) from (seed, index): layout, cover block,
// credentials, case summary and disputed items, with pdftotext's wrapping and page artifacts.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/date.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "text_util.hpp"

namespace imrdex {
namespace {

using namespace std::string_view_literals;
using corpus::Rng;
using corpus::Page;
// The generator's dates are calendar days: std::chrono does their arithmetic, IsoDate writes them.
using Day = std::chrono::sys_days;
using std::chrono::days;

constexpr std::uint64_t kPerYear = 1'000'000;  // case numbers per year: CMyy-0000000..0999999
constexpr std::uint64_t kYears = 12;           // CM13 .. CM24
constexpr std::uint64_t kIdSpace = kPerYear * kYears;

template <typename T, std::size_t N>
const T& pick(Rng& r, const T (&a)[N]) {
    return a[r.below(static_cast<std::uint32_t>(N))];
}

// ---- Reviewer ---------------------------------------------------------------------------------

struct State {
    std::string_view name;
    std::string_view code;
};
constexpr State kStates[] = {
    {"California", "CA"},   {"California", "CA"},     {"California", "CA"},
    {"North Carolina", "NC"}, {"Texas", "TX"},        {"Florida", "FL"},
    {"New York", "NY"},     {"Pennsylvania", "PA"},   {"Illinois", "IL"},
    {"Ohio", "OH"},         {"Utah", "UT"},           {"New Jersey", "NJ"},
    {"Oregon", "OR"},       {"Washington", "WA"},     {"Georgia", "GA"},
    {"Virginia", "VA"},     {"West Virginia", "WV"},  {"New Mexico", "NM"},
    {"Wisconsin", "WI"},    {"Arizona", "AZ"},        {"Maryland", "MD"},
    {"Massachusetts", "MA"}, {"Michigan", "MI"},      {"Colorado", "CO"},
    {"Tennessee", "TN"},    {"Minnesota", "MN"},      {"Nevada", "NV"},
    {"South Carolina", "SC"}, {"District of Columbia", "DC"}, {"Missouri", "MO"},
};

constexpr std::string_view kBoards[] = {
    "Family Practice", "Preventive Medicine", "Internal Medicine", "Anesthesiology",
    "Physical Medicine & Rehabilitation", "Orthopedic Surgery", "Psychiatry", "Neurology",
    "Emergency Medicine", "Occupational Medicine", "Neurological Surgery", "Psychology",
    "Chiropractic", "Acupuncture", "Plastic Surgery", "Rheumatology", "Hand Surgery",
    "Obstetrics & Gynecology", "General Surgery", "Dermatology",
};
constexpr std::string_view kSubspecialties[] = {
    "Pain Management", "Sports Medicine", "Occupational Medicine", "Hospice & Palliative Medicine",
    "Medical Toxicology", "Spine Surgery", "Pediatric Rehabilitation Medicine",
    "Addiction Medicine", "Geriatric Psychiatry", "Brain Injury Medicine",
};

std::string lower(std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return o;
}

// ---- Body regions -----------------------------------------------------------------------------

struct Region {
    std::string_view part;        // "lumbar spine" (sided regions get "right "/"left ")
    bool sided;
    std::string_view short_name;  // "low back", "shoulder"
    std::string_view diagnoses[4];
    std::string_view exam[3];
    std::string_view imaging[2];
    std::string_view mtus_chapter;  // newer MTUS citation: "Low Back Complaints 2004"
    std::string_view acoem_old;     // older: "Chapter 12 Low Back Complaints"
    std::string_view odg_chapter;   // "Low Back"
    std::string_view surgeries[3];
    std::string_view injections[2];
    std::string_view braces[2];
};

constexpr Region kRegions[] = {
    {"lumbar spine", false, "low back",
     {"lumbar strain", "lumbar radiculopathy", "lumbar disc displacement",
      "degenerative disc disease of the lumbar spine"},
     {"tenderness over the lumbar paraspinal muscles with spasm",
      "a positive straight leg raise on the right at 45 degrees",
      "decreased lumbar flexion and extension with pain at end range"},
     {"a disc protrusion at L4-L5 with mild foraminal narrowing",
      "mild facet arthropathy at L5-S1 without canal stenosis"},
     "Low Back Complaints 2004", "Chapter 12 Low Back Complaints", "Low Back",
     {"L4-L5 posterior lumbar interbody fusion", "L5-S1 microdiscectomy",
      "lumbar laminectomy at L4-L5"},
     {"L5-S1 transforaminal epidural steroid injection", "bilateral L4-L5 facet joint injection"},
     {"Lumbar support brace", "LSO back brace"}},
    {"cervical spine", false, "neck",
     {"cervical strain", "cervical radiculopathy", "cervical disc herniation",
      "cervical spondylosis"},
     {"tenderness of the cervical paraspinal and upper trapezius muscles",
      "a positive Spurling's test on the left", "restricted cervical rotation bilaterally"},
     {"a broad-based disc bulge at C5-C6 abutting the thecal sac",
      "multilevel degenerative changes from C4 to C7"},
     "Neck and Upper Back Complaints 2004", "Chapter 8 Neck and Upper Back Complaints",
     "Neck and Upper Back",
     {"anterior cervical discectomy and fusion at C5-C6", "cervical disc arthroplasty at C6-C7",
      "posterior cervical foraminotomy at C5-C6"},
     {"C6-C7 interlaminar epidural steroid injection", "cervical facet joint injection at C4-C5"},
     {"Soft cervical collar", "Cervical traction unit for home use"}},
    {"shoulder", true, "shoulder",
     {"shoulder impingement syndrome", "rotator cuff tendinitis", "partial rotator cuff tear",
      "adhesive capsulitis of the shoulder"},
     {"a positive Hawkins impingement sign", "painful abduction limited to 110 degrees",
      "tenderness over the acromioclavicular joint"},
     {"a partial thickness tear of the supraspinatus tendon",
      "tendinosis of the rotator cuff with subacromial bursitis"},
     "Shoulder Complaints 2004", "Chapter 9 Shoulder Complaints", "Shoulder",
     {"shoulder arthroscopy with subacromial decompression", "arthroscopic rotator cuff repair",
      "distal clavicle resection"},
     {"subacromial corticosteroid injection", "shoulder joint injection under ultrasound guidance"},
     {"Shoulder sling", "Shoulder continuous passive motion device"}},
    {"knee", true, "knee",
     {"knee sprain", "medial meniscus tear", "chondromalacia patella",
      "osteoarthritis of the knee"},
     {"medial joint line tenderness with a positive McMurray's test",
      "a small effusion and crepitus with range of motion", "pain with deep squatting"},
     {"a horizontal tear of the posterior horn of the medial meniscus",
      "moderate tricompartmental degenerative changes"},
     "Knee Complaints 2004", "Chapter 13 Knee Complaints", "Knee & Leg",
     {"knee arthroscopy with partial medial meniscectomy", "total knee arthroplasty",
      "arthroscopic chondroplasty of the patella"},
     {"intra-articular knee injection", "platelet-rich plasma injection to the knee"},
     {"Hinged knee brace", "Knee immobilizer"}},
    {"wrist", true, "wrist",
     {"carpal tunnel syndrome", "wrist sprain", "de Quervain's tenosynovitis",
      "triangular fibrocartilage complex tear"},
     {"a positive Phalen's test and Tinel's sign at the wrist",
      "tenderness over the first dorsal compartment", "decreased grip strength"},
     {"a small ganglion cyst along the dorsal wrist",
      "findings suggestive of a partial tear of the triangular fibrocartilage"},
     "Forearm, Wrist, and Hand Complaints 2004",
     "Chapter 11 Forearm, Wrist, and Hand Complaints", "Forearm, Wrist & Hand",
     {"carpal tunnel release", "first dorsal compartment release", "wrist arthroscopy with debridement"},
     {"carpal tunnel corticosteroid injection", "first dorsal compartment injection"},
     {"Wrist splint", "Thumb spica splint"}},
    {"elbow", true, "elbow",
     {"lateral epicondylitis", "medial epicondylitis", "cubital tunnel syndrome",
      "elbow sprain"},
     {"tenderness over the lateral epicondyle", "pain with resisted wrist extension",
      "a positive Tinel's sign at the cubital tunnel"},
     {"common extensor tendinosis with a small partial tear", "a small joint effusion"},
     "Elbow Complaints 2007", "Chapter 10 Elbow Disorders", "Elbow",
     {"lateral epicondyle release", "ulnar nerve transposition", "elbow arthroscopy"},
     {"lateral epicondyle corticosteroid injection", "elbow joint injection"},
     {"Elbow counterforce brace", "Elbow extension splint"}},
    {"hip", true, "hip",
     {"hip strain", "trochanteric bursitis", "labral tear of the hip", "osteoarthritis of the hip"},
     {"tenderness over the greater trochanter", "pain with internal rotation of the hip",
      "a positive FABER test"},
     {"a tear of the anterosuperior labrum", "mild degenerative narrowing of the joint space"},
     "Hip and Groin Complaints 2004", "Chapter 15 Hip and Groin Complaints", "Hip & Pelvis",
     {"hip arthroscopy with labral repair", "total hip arthroplasty",
      "open reduction and internal fixation of the hip"},
     {"trochanteric bursa injection", "intra-articular hip injection under fluoroscopy"},
     {"Hip abduction brace", "Raised toilet seat"}},
    {"ankle", true, "ankle",
     {"ankle sprain", "plantar fasciitis", "Achilles tendinitis", "ankle fracture"},
     {"swelling over the lateral malleolus", "tenderness at the plantar fascia insertion",
      "a positive anterior drawer test"},
     {"a partial tear of the anterior talofibular ligament", "a small osteochondral lesion"},
     "Ankle and Foot Complaints 2004", "Chapter 14 Ankle and Foot Complaints", "Ankle & Foot",
     {"ankle arthroscopy with debridement", "lateral ankle ligament reconstruction",
      "open reduction and internal fixation of the ankle"},
     {"ankle joint corticosteroid injection", "plantar fascia injection"},
     {"Ankle brace", "Controlled ankle motion walking boot"}},
};

// ---- Dates ------------------------------------------------------------------------------------

constexpr std::string_view kMonths[] = {"January", "February", "March",     "April",
                                        "May",     "June",     "July",      "August",
                                        "September", "October", "November", "December"};

void append_2(std::string& out, unsigned v) {
    out.push_back(static_cast<char>('0' + v / 10 % 10));
    out.push_back(static_cast<char>('0' + v % 10));
}
void append_int(std::string& out, long v) {
    char buf[24];
    int n = 0;
    if (v < 0) { out.push_back('-'); v = -v; }
    do { buf[n++] = static_cast<char>('0' + v % 10); v /= 10; } while (v > 0);
    while (n > 0) out.push_back(buf[--n]);
}

// Every day the generator makes exists, so the conversion cannot fail.
IsoDate iso_date(Day day) {
    const std::chrono::year_month_day ymd{day};
    return *IsoDate::from_parts(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()));
}
std::string iso(Day day) { return iso_date(day).str(); }

void append_us(std::string& out, Day day) {  // 11/09/2016 as in the cover block
    const IsoDate d = iso_date(day);
    append_2(out, d.month());
    out.push_back('/');
    append_2(out, d.day());
    out.push_back('/');
    append_int(out, d.year());
}

// Date styles of the case summary.
enum class DateStyle { slash4, dash4, dash4_nopad, dash2, dash2_nopad, long_form, long_pad };

void append_date(std::string& out, Day day, DateStyle st) {
    const IsoDate d = iso_date(day);
    const auto yy = static_cast<unsigned>(d.year() % 100);
    switch (st) {
        case DateStyle::slash4: append_us(out, day); return;
        case DateStyle::dash4:
            append_2(out, d.month()); out.push_back('-'); append_2(out, d.day()); out.push_back('-');
            append_int(out, d.year());
            return;
        case DateStyle::dash4_nopad:
            append_int(out, d.month()); out.push_back('-'); append_int(out, d.day());
            out.push_back('-');
            append_int(out, d.year());
            return;
        case DateStyle::dash2:
            append_2(out, d.month()); out.push_back('-'); append_2(out, d.day()); out.push_back('-');
            append_2(out, yy);
            return;
        case DateStyle::dash2_nopad:
            append_int(out, d.month()); out.push_back('-'); append_int(out, d.day());
            out.push_back('-');
            append_2(out, yy);
            return;
        case DateStyle::long_form:
        case DateStyle::long_pad:
            out += kMonths[d.month() - 1];
            out.push_back(' ');
            if (st == DateStyle::long_pad) append_2(out, d.day()); else append_int(out, d.day());
            out += ", ";
            append_int(out, d.year());
            return;
    }
}

// ---- Letter context ---------------------------------------------------------------------------

struct Ctx {
    Rng* rng = nullptr;
    bool male = false;
    int age = 40;
    Day injury{}, ur{}, rfa{}, visit1{}, visit2{};
    DateStyle style = DateStyle::dash4;
    const Region* region = nullptr;
    const Region* region2 = nullptr;
    std::string part, part2;  // "right shoulder", "lumbar spine"
    bool old_era = false;     // 2013-2015 wording
    std::string_view worker;  // "injured worker" / "patient" / "claimant"
    std::string_view med1, med2;
};

// Expands a sentence template: {he} {He} {his} {His} {him} {w} (worker noun) {part} {part2}
// {dx} {dx2} {exam} {exam2} {img} {d1} {d2} {ur} {rfa} {inj} {p} {p2} {med} {med2} {short}.
void expand(std::string& out, std::string_view t, Ctx& c) {
    Rng& r = *c.rng;
    std::size_t i = 0;
    while (i < t.size()) {
        const std::size_t open = t.find('{', i);
        if (open == std::string_view::npos) { out.append(t.substr(i)); break; }
        out.append(t.substr(i, open - i));
        const std::size_t close = t.find('}', open);
        const std::string_view k = t.substr(open + 1, close - open - 1);
        i = close + 1;
        if (k == "he") out += c.male ? "he"sv : "she"sv;
        else if (k == "He") out += c.male ? "He"sv : "She"sv;
        else if (k == "his") out += c.male ? "his"sv : "her"sv;
        else if (k == "His") out += c.male ? "His"sv : "Her"sv;
        else if (k == "him") out += c.male ? "him"sv : "her"sv;
        else if (k == "w") out += c.worker;
        else if (k == "part") out += c.part;
        else if (k == "part2") out += c.part2;
        else if (k == "short") out += c.region->short_name;
        else if (k == "dx") out += c.region->diagnoses[r.below(4)];
        else if (k == "dx2") out += c.region2->diagnoses[r.below(4)];
        else if (k == "exam") out += c.region->exam[r.below(3)];
        else if (k == "exam2") out += c.region2->exam[r.below(3)];
        else if (k == "img") out += c.region->imaging[r.below(2)];
        else if (k == "d1") append_date(out, c.visit1, c.style);
        else if (k == "d2") append_date(out, c.visit2, c.style);
        else if (k == "ur") append_date(out, c.ur, c.style);
        else if (k == "rfa") append_date(out, c.rfa, c.style);
        else if (k == "inj") append_date(out, c.injury, c.style);
        else if (k == "p") append_int(out, r.range(4, 9));
        else if (k == "p2") append_int(out, r.range(2, 5));
        else if (k == "med") out += c.med1;
        else if (k == "med2") out += c.med2;
        else if (k == "n") append_int(out, r.range(2, 24));
        else if (k == "deg") append_int(out, r.range(6, 17) * 10);
        else if (k == "deg2") append_int(out, r.range(1, 6) * 5);
        else if (k == "bp") {
            append_int(out, r.range(108, 162));
            out += '/';
            append_int(out, r.range(64, 98));
        } else if (k == "bmi") {
            append_int(out, r.range(21, 41));
            out += '.';
            append_int(out, r.range(0, 9));
        } else if (k == "cond") {
            static constexpr std::string_view kConditions[] = {
                "hypertension", "type 2 diabetes", "hyperlipidemia", "obesity", "asthma",
                "gastroesophageal reflux", "hypothyroidism", "obstructive sleep apnea",
                "migraine headaches", "depression", "anxiety", "a prior appendectomy"};
            out += pick(r, kConditions);
            out += " and ";
            out += pick(r, kConditions);
        } else if (k == "surg") out += c.region->surgeries[r.below(3)];
        else if (k == "grip") {
            append_int(out, r.range(8, 40));
            out += " kg on the right and ";
            append_int(out, r.range(8, 40));
            out += " kg on the left";
        }
        else out.append(k);  // unknown key: visible in review, never silent
    }
}

// ---- Case summary -----------------------------------------------------------------------------

constexpr std::string_view kMechanisms[] = {
    "The mechanism of injury was lifting a heavy box from the floor onto a shelf.",
    "The injury occurred when {he} slipped on a wet floor and fell onto {his} side.",
    "{He} was injured while pulling a loaded pallet jack at work.",
    "The mechanism of injury was described as repetitive overhead work over several years.",
    "{He} reported injury after a fall from a ladder of about six feet.",
    "The injury was sustained in a motor vehicle accident while driving a company vehicle.",
    "Mechanism of injury was cumulative trauma from keyboarding and mousing.",
    "{He} was struck by a falling object while unloading a delivery truck.",
    "The {w} twisted while carrying a patient during a transfer.",
    "The mechanism of injury is unknown.",
};

// Summary sentences in the order a reviewer tells the case: diagnoses, treatment so far,
// medications, visits, examination, imaging, work status, plan and utilization review.
constexpr std::string_view kSummaryGroups[][4] = {
    {"The {w} is being treated for {dx} and {dx2}.",
     "Diagnoses were documented as {dx}, {dx2} and chronic pain syndrome.",
     "The diagnoses include {dx} and {dx2}.",
     "Medical records indicate that the {w} is undergoing treatment for {dx}."},
    {"Treatment to date has included medications, physical therapy, a home exercise program and "
     "activity modification.",
     "Prior treatment included chiropractic care, acupuncture and a course of oral "
     "anti-inflammatory medication with limited benefit.",
     "The {w} has completed at least {n} sessions of therapy without lasting improvement.",
     "The treating physician noted that the {w} had tried stretching and ice without lasting "
     "relief."},
    {"Medications were noted to include {med} and {med2}.",
     "Current medications include {med}, which {he} reported helps {him} complete household "
     "tasks.",
     "{He} has been taking {med} for several months and reported nausea with {med2}.",
     "The medication list included {med}."},
    {"On {d1}, the {w} reported {short} pain rated {p} out of 10, worse with prolonged sitting "
     "and standing.",
     "The progress report dated {d1} noted ongoing {short} pain radiating intermittently, with "
     "pain rated {p}/10 without medications and {p2}/10 with medications.",
     "At the visit of {d2}, {he} complained of stiffness and weakness and stated the pain "
     "interfered with sleep.",
     "The {w} was seen on {d2} for a follow-up of {short} pain and reported no new symptoms."},
    {"Physical examination revealed {exam}.",
     "Examination of the {part} showed {exam}.",
     "Examination of the {part2} revealed {exam2}.",
     "Objective findings on {d2} included {exam} and a normal gait."},
    {"Magnetic resonance imaging of the {part} reportedly showed {img}.",
     "Diagnostic imaging was reported to show {img}.",
     "Electrodiagnostic studies of the upper extremities were reported as normal.",
     "Radiographs of the {part} were unremarkable apart from {img}."},
    {"Past medical history is significant for {cond}.",
     "{His} history includes {cond}, and {he} denied tobacco use.",
     "Surgical history included {surg} several years before this injury.",
     "The {w} reported a prior history of {cond} managed by {his} primary care physician."},
    {"Range of motion of the {part} was {deg} degrees of flexion and {deg2} degrees of extension.",
     "Blood pressure was {bp} and body mass index was {bmi}.",
     "Grip strength measured {grip}.",
     "Sensation was diminished in a dermatomal pattern, and reflexes were {p2}+ and symmetric."},
    {"The {w} remains on modified duty with restrictions on lifting more than 15 pounds.",
     "Work status was temporarily totally disabled.",
     "{He} has not returned to work since the date of injury.",
     "The {w} denied any new trauma and reported no bowel or bladder changes."},
    {"The Request for Authorization dated {rfa} was submitted for the items under review.",
     "The treatment plan included continuation of medications, further therapy and follow-up in "
     "four weeks.",
     "A urine drug screen performed on {d2} was consistent with the prescribed medications.",
     "The documentation did not include a measured functional improvement from prior treatment."},
    {"Utilization review dated {ur} non-certified the requested treatment.",
     "On {ur}, utilization review denied the requests, which were then submitted for independent "
     "medical review.",
     "The original utilization review ({ur}) modified or non-certified the requests below.",
     "The utilization review of {ur} found the requests not medically necessary."},
};

// First patient sentence forms. {A} age, {S} sex, {ON} "on <date>" (or "in <Month> of <year>"),
// {D} date, {reg} region noun.
constexpr std::string_view kPatientForms[kPatientSentenceForms] = {
    "The {w} is a {A} year old {S} who sustained an industrial injury {ON}.",
    "This case involves a now {A}-year-old {S} with a history of an occupational claim from {D}.",
    "According to medical records available for review, the {w} is a(n) {A} year old {S}, who "
    "sustained an industrial injury {ON}.",
    "The {A} year old {S} {w} suffered an industrial injury {ON}.",
    "The patient is a {A} year old {S} who was injured {ON}.",
    "The {w} is a {A} year old {S}, who sustained an industrial injury {ON}.",
    "This is a {A} year old {S} with a date of injury {ON}.",
    "The patient is a {A}-year-old {S} who reported an injury {ON}.",
    "The {w} is a {A}-year-old {S} with a reported date of injury {ON}.",
    "The applicant is a {A}-year-old {S} who has filed a claim for {reg} pain reportedly "
    "associated with an industrial injury of {D}.",
    "The {w} is a {A} year old {S} with an industrial injury date of {D}.",
    "The {w} was a {A} year old {S}, who sustained an industrial injury {ON}.",
    "This {w} is a {A} year old {S} who reported an industrial injury {ON}.",
    "The {w} is a {A} year old {S} who sustained a work related injury {ON}, incurring {reg} "
    "injuries.",
};

// ---- Requests ---------------------------------------------------------------------------------

constexpr std::string_view kNumberWords[] = {"zero", "one", "two", "three", "four", "five", "six",
                                             "seven", "eight", "nine", "ten", "eleven", "twelve"};

struct ItemPlan {
    Category category = Category::other;
    std::string request;
    std::string original;   // partial authorizations: the original request
    std::string authorized; // partial authorizations: what the claims administrator authorized
    std::string strength, quantity;
    const DrugEntry* drug = nullptr;
    std::string_view noun = "the requested treatment";  // for the rationale
    bool partial = false;
};

// Drug strengths: specific where the drug is common, otherwise by form and combination.
std::string_view strength_for(std::string_view drug, std::string_view cls, Rng& r, bool topical) {
    struct Known {
        std::string_view drug;
        std::string_view strengths[3];
    };
    static constexpr Known kKnown[] = {
        {"acetaminophen/hydrocodone", {"10/325mg", "5/325mg", "7.5/325mg"}},
        {"acetaminophen/oxycodone", {"10/325mg", "5/325mg", "7.5/325mg"}},
        {"acetaminophen/tramadol", {"37.5/325mg", "37.5/325mg", "37.5/325mg"}},
        {"tramadol", {"50mg", "150mg", "100mg"}},
        {"gabapentin", {"300mg", "600mg", "800mg"}},
        {"pregabalin", {"75mg", "50mg", "150mg"}},
        {"cyclobenzaprine", {"7.5mg", "10mg", "5mg"}},
        {"carisoprodol", {"350mg", "350mg", "250mg"}},
        {"alprazolam", {"0.5mg", "1mg", "2 MG"}},
        {"clonazepam", {"0.5mg", "1mg", "2mg"}},
        {"omeprazole", {"20mg", "40mg", "20mg"}},
        {"pantoprazole", {"20mg", "40mg", "40mg"}},
        {"naproxen", {"550mg", "500mg", "375mg"}},
        {"ibuprofen", {"800mg", "600mg", "400mg"}},
        {"meloxicam", {"7.5mg", "15mg", "15mg"}},
        {"diclofenac", {"75mg", "100mg", "50mg"}},
        {"oxycodone", {"10mg", "30mg", "15mg"}},
        {"morphine", {"15mg", "30mg", "60mg"}},
        {"duloxetine", {"30mg", "60mg", "20mg"}},
        {"zolpidem", {"10mg", "5mg", "6.25mg"}},
        {"fentanyl", {"25mcg/hr", "50mcg/hr", "12mcg/hr"}},
        {"buprenorphine", {"5mcg/hr", "10mcg/hr", "8mg"}},
        {"ketorolac", {"30mg/ml", "15mg/ml", "10mg"}},
        {"tizanidine", {"4mg", "2mg", "4mg"}},
        {"baclofen", {"10mg", "20mg", "10mg"}},
        {"celecoxib", {"200mg", "100mg", "200mg"}},
        {"venlafaxine", {"37.5mg", "75mg", "150mg"}},
        {"trazodone", {"50mg", "100mg", "150mg"}},
        {"methadone", {"10mg", "5mg", "10mg"}},
        {"hydromorphone", {"2mg", "4mg", "8mg"}},
    };
    for (const Known& k : kKnown) {
        if (k.drug == drug) return k.strengths[r.below(3)];
    }
    if (topical) {
        static constexpr std::string_view kPct[] = {"5%", "4%", "10%", "1%", "0.025%", "2%", "3%"};
        return pick(r, kPct);
    }
    if (drug.find('/') != std::string_view::npos) {
        static constexpr std::string_view kCombo[] = {"10/325mg", "50/325mg", "7.5/200mg",
                                                      "2.5/500mg", "20/10mg"};
        return pick(r, kCombo);
    }
    struct ByClass {
        std::string_view cls;
        std::string_view strengths[3];
    };
    static constexpr ByClass kByClass[] = {
        {"benzodiazepine", {"0.5mg", "1mg", "2mg"}},
        {"antidepressant", {"10mg", "25mg", "50mg"}},
        {"anticonvulsant", {"100mg", "250mg", "500mg"}},
        {"muscle relaxant", {"500mg", "750mg", "4mg"}},
        {"nsaid", {"500mg", "400mg", "75mg"}},
        {"proton pump inhibitor", {"20mg", "40mg", "20mg"}},
        {"sedative-hypnotic", {"10mg", "5mg", "1mg"}},
        {"antiemetic", {"4mg", "8mg", "10mg"}},
        {"triptan", {"50mg", "100mg", "25mg"}},
        {"laxative", {"100mg", "8.6mg", "250mg"}},
    };
    for (const ByClass& b : kByClass) {
        if (b.cls == cls) return b.strengths[r.below(3)];
    }
    if (cls.find("opioid") != std::string_view::npos) {
        static constexpr std::string_view kOp[] = {"10mg", "15mg", "30mg", "5mg", "20mg"};
        return pick(r, kOp);
    }
    static constexpr std::string_view kGen[] = {"10mg", "20mg", "25mg", "50mg", "100mg",
                                                "0.5mg", "200mg", "500mg", "1mg", "2.5mg"};
    return pick(r, kGen);
}

bool contains(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }

bool is_topical(const DrugEntry& e) {
    return contains(e.drug_class, "topical") || contains(e.name, "patch") ||
           contains(e.name, "cream") || contains(e.name, "gel") || contains(e.name, "ointment") ||
           contains(e.name, "lotion") || e.drug == "lidocaine" || e.drug == "capsaicin" ||
           contains(e.drug, "menthol") || contains(e.drug, "methyl salicylate");
}

// "norco" -> "Norco", "lidoderm patch" -> "Lidoderm patch"; occasionally upper case (older
// letters typed requests in capitals) or all lower case.
void append_display(std::string& out, std::string_view name, int style) {
    for (std::size_t i = 0; i < name.size(); ++i) {
        char ch = name[i];
        const bool up = style == 2 || (style == 0 && i == 0) ||
                        (style == 3 && (i == 0 || name[i - 1] == ' '));
        if (up && ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
        out.push_back(ch);
    }
}

void append_upper(std::string& out, std::string_view s) {
    for (char ch : s) out.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch);
}

constexpr int kQuantities[] = {30, 60, 90, 120, 30, 60, 90, 20, 45, 180, 240, 100, 10, 15, 60, 30};

// Appends a quantity in one of the written forms; `qty` (digits) is what the truth records.
void append_quantity(std::string& out, int q, Rng& r) {
    switch (r.below(10)) {
        case 0: out += " # "; append_int(out, q); return;
        case 1: out += " QTY: "; append_int(out, q); return;
        case 2: out += " QTY: "; append_int(out, q); out += ".00"; return;
        case 3: out += " Qty "; append_int(out, q); return;
        case 4: out += ", #"; append_int(out, q); return;
        default: out += " #"; append_int(out, q); return;
    }
}

void plan_drug(ItemPlan& p, const LetterGenerator::DrugChoice& choice, Ctx& c) {
    Rng& r = *c.rng;
    const DrugEntry& e = *choice.entry;
    p.category = Category::pharmaceutical;
    p.drug = &e;
    p.noun = "the requested medication";
    const bool topical = is_topical(e);
    const int case_style = c.old_era && r.chance(350) ? 2 : (r.chance(60) ? 1 : (e.brand ? 3 : 0));
    std::string& s = p.request;
    const bool retro = r.chance(50);
    if (retro) s += case_style == 2 ? "RETROSPECTIVE "sv : "Retrospective "sv;
    append_display(s, e.name, retro ? 1 : case_style);
    if (e.brand && choice.generic != nullptr && r.chance(150)) {
        s += " (";
        append_display(s, choice.generic->name, case_style == 2 ? 2 : 1);
        s += ")";
    }
    const std::uint32_t form = r.below(100);
    if (e.brand && form < 6) {  // compounded products are often requested without detail
        s += " (unknown quantity)";
        return;
    }
    std::string strength(strength_for(e.drug, e.drug_class, r, topical));
    if (case_style == 2) {
        for (char& ch : strength) ch = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch;
    } else if (r.chance(70) && strength.back() == 'g' && strength.find('/') == std::string::npos) {
        strength.insert(strength.size() - 2, " ");  // "2 mg"
    }
    if (topical) {
        static constexpr std::string_view kForms[] = {" patch", " cream", " gel", " ointment"};
        const bool named_form = contains(e.name, "patch") || contains(e.name, "cream") ||
                                contains(e.name, "gel") || contains(e.name, "ointment");
        if (form < 20) {  // "Ketoprofen 20% in cream base 240g"
            s += ' ';
            s += strength;
            s += " in cream base ";
            append_int(s, r.chance(500) ? 240 : 120);
            s += r.chance(500) ? "g"sv : "gm"sv;
            p.strength = strength;
            return;
        }
        if (form < 28) {  // "Menthoderm gel 120gm": the only strength is the tube size
            // Only forms that do not turn the name into another vocabulary name
            // ("terocin" + " patch" is the product "terocin patch", other ingredients).
            if (!named_form && choice.safe_forms != 0) {
                std::uint32_t f = r.below(4);
                while ((choice.safe_forms & (1u << f)) == 0) f = (f + 1) % 4;
                s += kForms[f];
            }
            s += ' ';
            std::string tube;
            append_int(tube, r.chance(500) ? 120 : 240);
            tube += r.chance(500) ? "gm"sv : "g"sv;
            s += tube;
            p.strength = tube;
            return;
        }
        s += ' ';
        s += strength;
        if (!named_form) s += kForms[r.below(4)];
        p.strength = strength;
    } else {
        s += ' ';
        s += strength;
        p.strength = strength;
        static constexpr std::string_view kTails[] = {
            " tabs", " tablets", " oral tablet, one tablet twice daily", " capsules", " ER",
            " 1 tab by mouth daily", " every 8 hours as needed",
        };
        if (r.chance(250)) s += pick(r, kTails);
    }
    const int q = topical ? r.range(1, 3) : kQuantities[r.below(16)];
    if (r.chance(920)) {
        append_quantity(s, q, r);
        append_int(p.quantity, q);
        if (r.chance(60)) s += " with 2 refills";
    }
    if (retro && r.chance(600)) {
        s += " DOS: ";
        append_date(s, c.visit2, DateStyle::dash2_nopad);
    }
}

struct NonDrugTemplate {
    Category category;
    std::string_view text;  // {part} {region-specific} {n} {nw} {f} {wk} {side}
    std::string_view noun;
};

constexpr NonDrugTemplate kNonDrug[] = {
    {Category::physical_therapy, "Physical therapy {n} sessions for the {part}", "physical therapy"},
    {Category::physical_therapy, "Physical therapy {f} times a week for {wk} weeks for the {part}",
     "physical therapy"},
    {Category::physical_therapy, "Additional physical therapy {nw} visits for the {part}",
     "additional physical therapy"},
    {Category::physical_therapy, "Post-operative physical therapy {n} visits, {part}",
     "post-operative physical therapy"},
    {Category::physical_therapy, "Physical therapy evaluation and treatment, {part}",
     "physical therapy"},
    {Category::chiropractic, "Chiropractic treatment {n} sessions for the {part}",
     "chiropractic care"},
    {Category::chiropractic, "Chiropractic manipulation {f} times a week for {wk} weeks",
     "chiropractic manipulation"},
    {Category::chiropractic, "Chiropractic care x {n} visits, {part}", "chiropractic care"},
    {Category::acupuncture, "Acupuncture {n} sessions for the {part}", "acupuncture"},
    {Category::acupuncture, "{Nw} sessions of acupuncture one time a week for {nw} weeks",
     "acupuncture"},
    {Category::acupuncture, "Acupuncture {f}x{wk} for the {short}", "acupuncture"},
    {Category::imaging, "MRI of the {part} without contrast", "the MRI"},
    {Category::imaging, "MRI of the {part}", "the MRI"},
    {Category::imaging, "X-rays of the {part}, three views", "the radiographs"},
    {Category::imaging, "CT scan of the {part}", "the CT scan"},
    {Category::imaging, "Open MRI of the {part}", "the open MRI"},
    {Category::imaging, "Repeat MRI of the {part} with and without contrast", "the repeat MRI"},
    {Category::injection, "{Inj}", "the injection"},
    {Category::injection, "Trigger point injections x {n}, {part}", "the trigger point injections"},
    {Category::injection, "{Side} {inj}", "the injection"},
    {Category::surgery, "{Side} {surg}", "the surgery"},
    {Category::surgery, "Outpatient {surg}", "the surgery"},
    {Category::dme, "TENS unit for home use", "the TENS unit"},
    {Category::dme, "{Brace}", "the brace"},
    {Category::dme, "Hot and cold therapy unit, purchase", "the hot and cold therapy unit"},
    {Category::dme, "Front-wheeled walker", "the walker"},
    {Category::dme, "Interferential stimulator rental for 30 days", "the interferential stimulator"},
    {Category::office_visit, "Follow-up office visit with the treating physician",
     "the follow-up visit"},
    {Category::office_visit, "Pain management consultation", "the consultation"},
    {Category::office_visit, "Orthopedic consultation for the {part}", "the consultation"},
    {Category::office_visit, "Neurology consultation", "the consultation"},
    {Category::psychological_services, "Cognitive behavioral therapy {n} sessions",
     "cognitive behavioral therapy"},
    {Category::psychological_services, "Psychotherapy once a week for {wk} weeks", "psychotherapy"},
    {Category::psychological_services, "Psychological evaluation", "the psychological evaluation"},
    {Category::psychological_services, "Comprehensive psychological testing",
     "the psychological testing"},
    {Category::laboratory, "Urine drug screen", "the urine drug screen"},
    {Category::laboratory, "Complete blood count and comprehensive metabolic panel",
     "the laboratory studies"},
    {Category::laboratory, "Liver and kidney function blood tests", "the laboratory studies"},
    {Category::other, "Functional capacity evaluation", "the functional capacity evaluation"},
    {Category::other, "Home health care {n} hours per week for {wk} weeks", "home health care"},
    {Category::other, "Gym membership for {wk} months", "the gym membership"},
    {Category::other, "Functional restoration program, {n} days", "the functional restoration program"},
    {Category::other, "Transportation to and from medical appointments", "the transportation"},
};

std::string_view side_of(std::string_view part) {
    if (part.substr(0, 5) == "right") return "Right";
    if (part.substr(0, 4) == "left") return "Left";
    return "";
}

void plan_nondrug(ItemPlan& p, const NonDrugTemplate& t, Ctx& c, bool partial_sessions,
                  int sessions) {
    Rng& r = *c.rng;
    p.category = t.category;
    p.noun = t.noun;
    std::string& s = p.request;
    const std::string_view side = side_of(c.part);
    std::string_view tt = t.text;
    std::size_t i = 0;
    while (i < tt.size()) {
        const std::size_t open = tt.find('{', i);
        if (open == std::string_view::npos) { s.append(tt.substr(i)); break; }
        s.append(tt.substr(i, open - i));
        const std::size_t close = tt.find('}', open);
        const std::string_view k = tt.substr(open + 1, close - open - 1);
        i = close + 1;
        if (k == "part") s += c.part;
        else if (k == "short") s += c.region->short_name;
        else if (k == "n") append_int(s, partial_sessions ? sessions : r.range(2, 12) * 2);
        else if (k == "nw" || k == "Nw") {
            std::string_view w = kNumberWords[partial_sessions ? std::min(sessions, 12)
                                                               : r.range(2, 12)];
            if (k == "Nw") { s.push_back(static_cast<char>(w[0] - 32)); w.remove_prefix(1); }
            s += w;
        } else if (k == "f") append_int(s, r.range(1, 3));
        else if (k == "wk") append_int(s, r.range(2, 8));
        else if (k == "Side") {
            if (!side.empty()) { s += side; }
            else s += r.chance(500) ? "Bilateral"sv : "Outpatient"sv;
        } else if (k == "inj" || k == "Inj") {
            std::string_view w = c.region->injections[r.below(2)];
            if (k == "Inj" && w[0] >= 'a' && w[0] <= 'z') {
                s.push_back(static_cast<char>(w[0] - 32));
                w.remove_prefix(1);
            }
            s += w;
        } else if (k == "surg") s += c.region->surgeries[r.below(3)];
        else if (k == "Brace") s += c.region->braces[r.below(2)];
    }
    // A quantity on a few procedures, as on real letters ("NCV ... QTY: 2").
    if ((t.category == Category::dme || t.category == Category::laboratory) && r.chance(120)) {
        const int q = r.range(1, 3);
        s += " QTY: ";
        append_int(s, q);
        append_int(p.quantity, q);
    }
}

// ---- Guidelines -------------------------------------------------------------------------------

enum : unsigned { kSrcMtus = 1, kSrcAcoem = 2, kSrcOdg = 4, kSrcOther = 8 };

std::string_view mtus_topic(const ItemPlan& p) {
    if (p.drug != nullptr) {
        const std::string_view cls = p.drug->drug_class;
        if (contains(cls, "opioid")) return "Opioids, criteria for use";
        if (contains(cls, "benzo")) return "Benzodiazepines";
        if (contains(cls, "muscle")) return "Muscle relaxants (for pain)";
        if (contains(cls, "nsaid") || contains(cls, "anti-inflammatory")) return "NSAIDs (non-steroidal anti-inflammatory drugs)";
        if (contains(cls, "proton") || contains(cls, "gastro") || contains(cls, "ppi")) return "NSAIDs, GI symptoms & cardiovascular risk";
        if (contains(cls, "antidepress")) return "Antidepressants for chronic pain";
        if (contains(cls, "epilep") || contains(cls, "convuls")) return "Anti-epilepsy drugs (AEDs)";
        if (contains(cls, "topical") || contains(cls, "compound")) return "Topical analgesics";
        if (contains(cls, "sleep") || contains(cls, "hypnotic")) return "Insomnia treatment";
        return "Medications for chronic pain";
    }
    switch (p.category) {
        case Category::physical_therapy: return "Physical medicine treatment";
        case Category::chiropractic: return "Manual therapy & manipulation";
        case Category::acupuncture: return "Acupuncture";
        case Category::psychological_services: return "Psychological treatment";
        case Category::laboratory: return "Drug testing";
        case Category::dme: return "TENS, chronic pain (transcutaneous electrical nerve stimulation)";
        case Category::office_visit: return "Office visits";
        case Category::other: return "Functional improvement measures";
        default: return "Introduction";
    }
}

bool uses_region_chapter(const ItemPlan& p) {
    return p.category == Category::imaging || p.category == Category::injection ||
           p.category == Category::surgery;
}

std::string_view region_section(const ItemPlan& p) {
    switch (p.category) {
        case Category::imaging: return "Special Studies";
        case Category::injection: return "Physical Methods";
        case Category::surgery: return "Surgical Considerations";
        default: return "Initial Care";
    }
}

// "Decision based on MTUS ..." in the wording of the letter's era.
void append_mtus(std::string& g, const ItemPlan& p, Ctx& c, unsigned& src) {
    Rng& r = *c.rng;
    src |= kSrcMtus;
    if (c.old_era) {
        if (uses_region_chapter(p) || r.chance(150)) {
            g += "Decision based on MTUS ACOEM ";
            g += c.region->acoem_old;
            g += " Page(s): ";
            append_int(g, r.range(170, 340));
            g += '.';
            src |= kSrcAcoem;
        } else {
            g += "Decision based on MTUS Chronic Pain Treatment Guidelines ";
            g += mtus_topic(p);
            g += " Page(s): ";
            const int page1 = r.range(12, 120);
            append_int(g, page1);
            if (r.chance(400)) { g += '-'; append_int(g, page1 + r.range(1, 5)); }
            g += '.';
        }
        return;
    }
    g += "Decision based on MTUS ";
    if (uses_region_chapter(p) || (p.category == Category::dme && r.chance(400))) {
        g += c.region->mtus_chapter;
        if (r.chance(700)) { g += ", Section(s): "; g += region_section(p); }
    } else if (p.category == Category::acupuncture && r.chance(600)) {
        g += "Acupuncture Treatment 2007";
    } else if (p.drug != nullptr && contains(p.drug->drug_class, "opioid") && r.chance(400)) {
        g += "Opioid Treatment 2016, Section(s): 3.3 Opioids for Chronic Pain and Chronic Opioid "
             "Treatment";
    } else {
        g += "Chronic Pain Medical Treatment 2016";
        if (r.chance(850)) { g += ", Section(s): "; g += mtus_topic(p); }
    }
    g += '.';
}

void append_odg(std::string& g, const ItemPlan& p, Ctx& c) {
    Rng& r = *c.rng;
    const bool psych = p.category == Category::psychological_services;
    const std::string_view chapter =
        p.drug != nullptr || psych || p.category == Category::laboratory
            ? (psych ? "Mental Illness & Stress"sv : "Pain (Chronic)"sv)
            : c.region->odg_chapter;
    switch (r.below(4)) {
        case 0: g += "Official Disability Guidelines (ODG), "; g += chapter; g += ", "; g += mtus_topic(p); break;
        case 1: g += "Official Disability Guidelines, "; g += chapter; g += " Chapter"; break;
        case 2: g += "ODG "; g += chapter; g += " Chapter, "; g += mtus_topic(p); break;
        default: g += "Official Disability Guidelines (ODG)"; break;
    }
}

constexpr std::string_view kOtherCitations[] = {
    "http://www.ncbi.nlm.nih.gov/pubmed/{n}",
    "www.mdguidelines.com",
    "Journal of Bone and Joint Surgery, 2012; {n}(4): 301-309",
    "American Academy of Orthopaedic Surgeons clinical practice guideline on {short} pain",
    "UpToDate, Evaluation of the adult with {short} pain",
    "https://www.cms.gov/medicare-coverage-database/details/ncd-details.aspx",
    "Spine Journal, 2014; 14(11): 2585-2593",
};

void append_other(std::string& g, Ctx& c) {
    const std::string_view t = pick(*c.rng, kOtherCitations);
    if (contains(t, "{")) {
        const std::size_t o = t.find('{');
        g.append(t.substr(0, o));
        if (t.substr(o, 3) == "{n}") append_int(g, c.rng->range(10000000, 29999999) / (o < 40 ? 1 : 100000));
        else g += c.region->short_name;
        g.append(t.substr(t.find('}', o) + 1));
    } else {
        g += t;
    }
}

constexpr std::string_view kAcoemNonMtus[] = {
    "ACOEM Occupational Medicine Practice Guidelines, 2nd Edition (2004)",
    "American College of Occupational and Environmental Medicine (ACOEM), 3rd Edition",
    "ACOEM Practice Guidelines, Chronic Pain Chapter",
};

// One guideline citation text and its sources; `ca` selects "The Claims Administrator" vs
// "The Expert Reviewer".
void make_guideline(Guideline& out, const ItemPlan& p, Ctx& c, bool ca, std::uint32_t& features) {
    Rng& r = *c.rng;
    std::string& g = out.text;
    g.clear();
    unsigned src = 0;
    const std::string_view subject = ca ? "The Claims Administrator"sv : "The Expert Reviewer"sv;
    const std::uint32_t mode = r.below(1000);
    if (mode < 90) {
        g += subject;
        g += " did not cite any medical evidence for its decision.";
        features |= kFeatureNoEvidenceCited;
    } else if (mode < 560) {
        append_mtus(g, p, c, src);
    } else if (mode < 700) {
        append_mtus(g, p, c, src);
        g += " Decision based on Non-MTUS Citation ";
        append_odg(g, p, c);
        src |= kSrcOdg;
        g += '.';
    } else if (mode < 970) {
        g += subject;
        g += c.old_era ? " did not base their decision on the MTUS."sv
                       : " based their decision on recommendation(s) outside of the MTUS Guidelines."sv;
        g += " Decision based on Non-MTUS Citation ";
        const std::uint32_t what = r.below(100);
        if (what < 55) {
            append_odg(g, p, c);
            src |= kSrcOdg;
        } else if (what < 70) {
            g += pick(r, kAcoemNonMtus);
            src |= kSrcAcoem;
        } else if (what < 78) {
            g += "ACOEM guidelines and the Official Disability Guidelines";
            src |= kSrcAcoem | kSrcOdg;
        } else if (what < 90) {
            append_other(g, c);
            src |= kSrcOther;
            features |= kFeatureOtherCitation;
        } else {
            append_odg(g, p, c);
            g += " and ";
            append_other(g, c);
            src |= kSrcOdg | kSrcOther;
            features |= kFeatureOtherCitation;
        }
        g += '.';
    } else {
        // Older form: an MTUS text cited as a "Non-MTUS Citation", capitals and all.
        g += subject;
        g += " did not base their decision on the MTUS. Decision based on Non-MTUS Citation MTUS: ";
        src |= kSrcMtus;
        if (r.chance(500)) {
            g += "AMERICAN COLLEGE OF OCCUPATIONAL AND ENVIRONMENTAL MEDICINE (ACOEM), 2ND EDITION "
                 "(2004); ";
            src |= kSrcAcoem;
        }
        g += "CHRONIC PAIN MEDICAL TREATMENT GUIDELINES, ";
        append_upper(g, mtus_topic(p));
        g += ", ";
        append_int(g, r.range(20, 120));
    }
    out.sources.clear();
    if (src & kSrcMtus) out.sources.emplace_back("MTUS");
    if (src & kSrcAcoem) out.sources.emplace_back("ACOEM");
    if (src & kSrcOdg) out.sources.emplace_back("ODG");
    if (src & kSrcOther) out.sources.emplace_back("other");
}

// ---- Rationale --------------------------------------------------------------------------------

constexpr std::string_view kGuidelineStatements[][3] = {
    // pharmaceutical (generic)
    {"The guidelines support ongoing medication use only when the prescriber documents pain "
     "relief, functional gains, side effects and adherence at each visit.",
     "Medications for chronic pain are recommended as an option when there is evidence of a "
     "meaningful response, and each agent should be trialed individually with documented benefit.",
     "Continued prescribing requires a clear indication, the lowest effective dose and periodic "
     "reassessment of the risks and benefits of the drug."},
    // physical therapy
    {"The guidelines allow for fading of treatment frequency from up to three visits per week to "
     "one or less, plus active self-directed home exercise.",
     "For myalgia and myositis, nine to ten visits over eight weeks are supported, and further "
     "visits depend on objective functional improvement.",
     "Active therapy is preferred over passive modalities, and the patient is expected to "
     "transition to an independent home program."},
    // chiropractic
    {"Manual therapy and manipulation are recommended for chronic pain caused by musculoskeletal "
     "conditions, with a trial of six visits over two weeks.",
     "With evidence of objective functional improvement, a total of up to eighteen visits over six "
     "to eight weeks may be supported.",
     "Elective or maintenance care is not medically necessary, and recurrences require "
     "re-evaluation of treatment success."},
    // acupuncture
    {"Acupuncture is used as an option when pain medication is reduced or not tolerated, and it may "
     "be used as an adjunct to physical rehabilitation.",
     "The time to produce functional improvement is three to six treatments, with a frequency of "
     "one to three times per week.",
     "Treatments may be extended only if functional improvement is documented as defined by the "
     "guidelines."},
    // imaging
    {"Unequivocal objective findings that identify specific nerve compromise on the neurologic "
     "examination are sufficient evidence to warrant imaging in patients who do not respond to "
     "treatment.",
     "Imaging is reserved for cases with red flag conditions, progressive neurologic deficit or "
     "when surgery is being considered.",
     "Routine imaging is not recommended in the first weeks of symptoms absent red flags, and "
     "repeat imaging requires a significant change in findings."},
    // injection
    {"Injections are recommended as an option for radicular pain when radiculopathy is documented "
     "on examination and corroborated by imaging or electrodiagnostic testing.",
     "The patient should be initially unresponsive to conservative treatment including exercise, "
     "physical methods, NSAIDs and muscle relaxants.",
     "Repeat injections require at least fifty percent pain relief with associated reduction of "
     "medication use for six to eight weeks."},
    // surgery
    {"Surgical referral is indicated for patients with severe and disabling symptoms, activity "
     "limitation for more than one month and clear clinical and imaging evidence of a lesion.",
     "Surgery should be considered only after failure of a full course of conservative care, "
     "including exercise and injections where appropriate.",
     "The documentation should establish that the lesion shown on imaging correlates with the "
     "clinical findings and that the patient understands the expected outcome."},
    // dme
    {"Durable medical equipment is recommended when it is medically necessary, can withstand "
     "repeated use and is customarily used to serve a medical purpose.",
     "A one-month home trial may be considered as a noninvasive option if used as an adjunct to a "
     "program of evidence-based functional restoration.",
     "Bracing and similar devices have not been shown to have lasting benefit beyond the acute "
     "phase of symptom relief."},
    // office visit
    {"The need for a clinical office visit is individualized based upon the patient's concerns, "
     "signs and symptoms, clinical stability and reasonable physician judgment.",
     "Referral to a specialist may be appropriate when the diagnosis is uncertain or extremely "
     "complex, or when additional expertise will aid the treatment plan.",
     "Consultations are supported when they are likely to change the plan of care."},
    // psych
    {"Psychological treatment is recommended for appropriately identified patients during "
     "treatment for chronic pain, including setting goals and addressing co-morbid mood disorders.",
     "An initial trial of three to four psychotherapy visits over two weeks is supported, with up "
     "to ten visits with evidence of objective functional improvement.",
     "Psychological evaluations are well established diagnostic procedures in chronic pain "
     "populations when there is a clear clinical question."},
    // laboratory
    {"Drug testing is recommended as an option to assess for the use or presence of illegal drugs "
     "and to monitor compliance with the prescribed regimen.",
     "The frequency of testing should be based on documented evidence of risk stratification.",
     "Periodic laboratory monitoring is supported when the results will guide treatment."},
    // other
    {"A functional capacity evaluation may be considered when case management is hampered by "
     "complex issues such as prior unsuccessful return to work attempts.",
     "Services are recommended only when there is a clear goal tied to objective functional "
     "improvement and return to work.",
     "The guidelines do not support services that are not medical treatment or that duplicate "
     "care already provided."},
};

constexpr std::string_view kDrugClassStatements[][2] = {
    {"opioid",
     "Ongoing opioid management requires documentation of analgesia, activities of daily living, "
     "adverse side effects and aberrant drug-taking behaviors, and the lowest possible dose "
     "should be prescribed."},
    {"benzo",
     "Benzodiazepines are not recommended for long-term use because long-term efficacy is unproven "
     "and there is a risk of dependence; most guidelines limit use to four weeks."},
    {"muscle",
     "Muscle relaxants are recommended with caution as a second-line option for short-term "
     "treatment of acute exacerbations, and their efficacy appears to diminish over time."},
    {"nsaid",
     "Anti-inflammatory medications are recommended at the lowest dose for the shortest period "
     "in patients with moderate to severe pain, with monitoring of gastrointestinal and renal risk."},
    {"topical",
     "Topical analgesics are largely experimental, and any compounded product that contains at "
     "least one drug that is not recommended is not recommended."},
    {"antidepress",
     "Antidepressants are a first-line option for neuropathic pain, and assessment of treatment "
     "efficacy should include pain outcomes, function, sleep quality and psychological status."},
    {"epilep",
     "Anti-epilepsy drugs are recommended for neuropathic pain, and a good response is defined as "
     "a fifty percent reduction in pain; continued use depends on improved function."},
};

constexpr std::string_view kCaseStatements[] = {
    "In this case, the {w} has ongoing complaints of {short} pain despite prior treatment.",
    "The records reviewed show that the {w} was last examined on {d2} with findings of {exam}.",
    "The most recent progress report documents pain rated {p}/10 but does not quantify the effect "
    "of treatment on function.",
    "The submitted records describe persistent symptoms in the {part} since the date of injury.",
    "The treating physician indicated that the {w} continues to work with restrictions.",
    "The clinical documentation notes {exam}, without a change from the prior examination.",
    "The report of {d1} lists {med} among the current medications and notes pain of {p}/10.",
    "Range of motion of the {part} was {deg} degrees of flexion on the most recent examination.",
    "The Request for Authorization dated {rfa} does not describe the goals of this request.",
    "The {w} has a history of {cond}, which the treating physician did not address.",
};

constexpr std::string_view kUpheldStatements[] = {
    "There is no documentation of objective functional improvement with the prior course of "
    "treatment.",
    "The records do not document red flag findings or a progressive neurologic deficit.",
    "There were no exceptional factors to warrant this treatment outside of the guideline "
    "recommendations.",
    "The number of sessions already completed is not stated, and the request exceeds the amount "
    "supported by the guidelines.",
    "The documentation did not include a measurable goal or a plan for the use of the results.",
    "The frequency and duration of use were not specified in the request.",
    "The medical records do not show that first-line options were tried and failed.",
    "A urine drug screen and a signed treatment agreement were not documented.",
};

constexpr std::string_view kOverturnedStatements[] = {
    "The records document measurable improvement in function with the prior treatment, including "
    "a longer walking tolerance and a return to modified work.",
    "The examination findings correlate with the imaging and the failure of conservative care is "
    "well documented.",
    "The treating physician documented specific goals and a plan that is consistent with the "
    "guidelines.",
    "The requested amount is within the number supported by the guidelines for this condition.",
    "The clinical presentation has changed since the prior evaluation, which supports further "
    "assessment.",
};

std::size_t guideline_row(const ItemPlan& p) {
    switch (p.category) {
        case Category::pharmaceutical: return 0;
        case Category::physical_therapy: return 1;
        case Category::chiropractic: return 2;
        case Category::acupuncture: return 3;
        case Category::imaging: return 4;
        case Category::injection: return 5;
        case Category::surgery: return 6;
        case Category::dme: return 7;
        case Category::office_visit: return 8;
        case Category::psychological_services: return 9;
        case Category::laboratory: return 10;
        case Category::other: return 11;
    }
    return 11;
}

void make_rationale(std::string& out, const ItemPlan& p, bool upheld, Ctx& c) {
    Rng& r = *c.rng;
    out.clear();
    if (c.old_era && r.chance(300)) out += "The Expert Reviewer's decision rationale: ";
    // Guideline paragraph: the class statement for drugs, then the category statements.
    if (p.drug != nullptr) {
        for (const auto& cs : kDrugClassStatements) {
            if (contains(p.drug->drug_class, cs[0])) { out += cs[1]; out += ' '; break; }
        }
    }
    const auto& stm = kGuidelineStatements[guideline_row(p)];
    const std::uint32_t first = r.below(3);
    const std::uint32_t count = 1 + r.below(3);
    for (std::uint32_t k = 0; k < count; ++k) {
        out += stm[(first + k) % 3];
        out += ' ';
    }
    const std::uint32_t cases = 2 + r.below(3);
    const std::uint32_t c0 = r.below(static_cast<std::uint32_t>(std::size(kCaseStatements)));
    for (std::uint32_t k = 0; k < cases; ++k) {
        expand(out, kCaseStatements[(c0 + k) % std::size(kCaseStatements)], c);
        out += ' ';
    }
    if (p.partial && p.original == p.request) {
        out += "The Claims Administrator authorized ";
        out += p.authorized;
        out += ", leaving the original request IMR eligible. ";
    } else if (p.partial) {
        out += p.authorized;
        out += r.chance(500) ? " was previously authorized, and additional treatment is contingent "
                               "upon the response to that treatment. "sv
                             : " was already certified by the prior reviewer. "sv;
    }
    if (upheld) {
        const std::uint32_t n = 1 + r.below(3);
        const std::uint32_t s0 = r.below(8);
        for (std::uint32_t k = 0; k < n; ++k) {
            out += kUpheldStatements[(s0 + k) % 8];
            out += ' ';
        }
    } else {
        const std::uint32_t n = 1 + r.below(2);
        const std::uint32_t s0 = r.below(5);
        for (std::uint32_t k = 0; k < n; ++k) {
            out += kOverturnedStatements[(s0 + k) % 5];
            out += ' ';
        }
    }
    switch (r.below(4)) {
        case 0:
            out += "Therefore, the request for ";
            out += p.request;
            out += upheld ? " is not medically necessary."sv : " is medically necessary."sv;
            break;
        case 1:
            out += "Given the above, the request for \"";
            out += p.request;
            out += upheld ? "\" is not medically necessary."sv : "\" is medically necessary."sv;
            break;
        case 2:
            out += upheld ? "As such, the request is not medically necessary."sv
                          : "As such, the request is medically necessary."sv;
            break;
        default:
            out += "Medical necessity for ";
            out += p.noun;
            out += upheld ? " has not been established."sv : " has been established."sv;
            break;
    }
    if (upheld && p.drug != nullptr && contains(p.drug->drug_class, "opioid") && r.chance(500)) {
        out += " The treating physician and the patient are advised to follow a tapering schedule "
               "rather than stopping this medication abruptly.";
    }
}

// ---- Boilerplate ------------------------------------------------------------------------------

constexpr std::string_view kHowMade1 =
    "MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no "
    "affiliation with the employer, employee, providers or the claims administrator.";
constexpr std::string_view kHowMade2 =
    " He/she has been in active clinical practice for more than five years and is currently "
    "working at least 24 hours a week in active practice. The expert reviewer was selected based "
    "on his/her clinical experience, education, background, and expertise in the same or similar "
    "specialties that evaluate and/or treat the medical condition and disputed ";
constexpr std::string_view kHowMade3 =
    ". He/she is familiar with governing laws and regulations, including the strength of evidence "
    "hierarchy that applies to Independent Medical Review determinations.";
constexpr std::string_view kSummaryIntro =
    "The expert reviewer developed the following clinical case summary based on a review of the "
    "case file, including all medical records:";
constexpr std::string_view kSetForth =
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:";

std::uint64_t splitmix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t gcd(std::uint64_t a, std::uint64_t b) {
    while (b != 0) { const std::uint64_t t = a % b; a = b; b = t; }
    return a;
}

// Number of items: 1 to 20, most letters 1-3 (per mille cumulative weights).
constexpr int kItemCdf[20] = {450, 670, 790, 850, 890, 920, 940, 955, 965, 973,
                              979, 984, 988, 991, 993, 995, 997, 998, 999, 1000};

// ---- The letter, piece by piece ---------------------------------------------------------------
// generate() calls these in the order the letter reads. Together they draw from the letter's Rng
// in one fixed order, which is what keeps a corpus byte-identical for a seed: a piece that draws
// more, less or earlier changes every letter after that point.

// The drugs a request may name: every usable vocabulary entry, and the common ones among them.
struct DrugPool {
    const std::vector<LetterGenerator::DrugChoice>& all;
    const std::vector<std::uint32_t>& common;  // indices into `all`

    const LetterGenerator::DrugChoice& pick_common(Rng& r) const {
        return all[common[r.below(static_cast<std::uint32_t>(common.size()))]];
    }
    const LetterGenerator::DrugChoice& pick_any(Rng& r) const {
        return all[r.below(static_cast<std::uint32_t>(all.size()))];
    }
};

// The administrative dates. The case number's year and its sequence within the year place the
// assignment; receipt, utilization review and decision fall around it.
struct CaseDates {
    int year = 0;
    Day assigned, received, ur, decision;
};

CaseDates choose_dates(Rng& r, const std::string& id) {
    CaseDates d;
    d.year = 2000 + (id[2] - '0') * 10 + (id[3] - '0');
    const long seq = std::stol(id.substr(5));
    const Day new_year{std::chrono::year{d.year} / std::chrono::January / 1};
    d.assigned = new_year + days{seq * 365 / static_cast<long>(kPerYear)};
    d.received = d.assigned - days{r.range(1, 25)};
    d.ur = d.received - days{r.range(3, 45)};
    d.decision = d.assigned + days{r.range(10, 45)};
    return d;
}

// Days from the injury to utilization review: weeks, years or decades, but never an injury
// before the worker turned 18.
long days_since_injury(Rng& r, int age) {
    long since = 0;
    const std::uint32_t span = r.below(100);
    if (span < 35)
        since = r.range(20, 90);
    else if (span < 70)
        since = r.range(91, 1100);
    else
        since = r.range(1101, 7300);
    return std::min(since, static_cast<long>(age - 18) * 365);
}

// "right shoulder" / "lumbar spine": sided regions get a side.
void choose_part(Rng& r, const Region& region, std::string& part) {
    part.clear();
    if (region.sided) part += r.chance(500) ? "right "sv : "left "sv;
    part += region.part;
}

// The case the letter tells: the worker, the injury and visit dates, the body regions, and the
// wording the reviewer uses throughout (worker noun, date style, medications named).
Ctx choose_case(Rng& r, const CaseDates& d, const DrugPool& drugs) {
    Ctx c;
    c.rng = &r;
    c.age = r.range(21, 72);
    c.male = r.chance(560);
    c.injury = d.ur - days{days_since_injury(r, c.age)};
    c.ur = d.ur;
    c.rfa = d.ur - days{r.range(5, 20)};
    c.visit1 = std::max(c.injury + days{3}, c.rfa - days{r.range(20, 60)});
    c.visit2 = std::max(c.visit1 + days{1}, c.rfa - days{r.range(0, 5)});
    c.old_era = d.year <= 2015;
    c.region = &kRegions[r.below(8)];
    c.region2 = &kRegions[r.below(8)];
    choose_part(r, *c.region, c.part);
    choose_part(r, *c.region2, c.part2);
    static constexpr std::string_view kWorker[] = {"injured worker", "injured worker",
                                                   "injured worker", "patient", "claimant"};
    c.worker = pick(r, kWorker);
    static constexpr DateStyle kDateStyles[] = {
        DateStyle::dash4,     DateStyle::dash4,       DateStyle::slash4,      DateStyle::dash2,
        DateStyle::long_form, DateStyle::dash4_nopad, DateStyle::dash2_nopad, DateStyle::long_pad};
    c.style = pick(r, kDateStyles);
    c.med1 = drugs.pick_common(r).entry->name;
    c.med2 = drugs.pick_common(r).entry->name;
    return c;
}

// The letter's layout, by era: older letters have no cover block, credentials in a sentence,
// and pdftotext's double spacing.
struct Layout {
    bool cover = false;
    bool sentence_creds = false;  // credentials in the how-made paragraph, else a list
    bool dbl = false;             // double spaced

    [[nodiscard]] std::uint32_t features() const {
        return (cover ? kFeatureCoverBlock : 0u) |
               (sentence_creds ? kFeatureSentenceCredentials : kFeatureListCredentials) |
               (dbl ? kFeatureDoubleSpaced : 0u);
    }
};

Layout choose_layout(Rng& r, int year) {
    Layout l;
    const std::uint32_t lay = r.below(100);
    if (year <= 2014) {
        l.cover = lay < 10;
        l.sentence_creds = lay < 80;
    } else if (year == 2015) {
        l.cover = lay < 35;
        l.sentence_creds = lay >= 70;
    } else {
        l.cover = lay < 97;
        l.sentence_creds = lay >= 94;
    }
    l.dbl = !l.cover;
    return l;
}

// The page geometry pdftotext gave the letter: line width, and lines per page (fewer when each
// line is followed by a blank one). The lines per page are drawn first: that is the order GCC
// evaluated the two draws in when they were both arguments of Page's constructor, and separate
// statements keep every corpus written since then while fixing the order for any compiler.
Page open_page(std::string& text, const Layout& l, Rng& r) {
    const auto page_lines = static_cast<unsigned>(l.dbl ? r.range(24, 29) : r.range(50, 58));
    const auto width = static_cast<unsigned>(r.range(90, 97));
    return Page(text, l.dbl, width, page_lines);
}

void us_date_line(Page& page, Day d) {
    std::string s;
    append_us(s, d);
    page.line(s);
}

// The cover block of newer letters: pdftotext gives each column's labels, then its values.
void write_cover(Page& page, const CaseDates& d, const Ctx& c, GeneratedLetter& out) {
    Letter& t = out.truth;
    const bool expedited = c.rng->chance(20);
    page.line("Case Number:");
    page.line("Date Assigned:");
    page.line("Decision Date:");
    page.line("Priority:");
    page.blank();
    page.line(t.id);
    us_date_line(page, d.assigned);
    us_date_line(page, d.decision);
    page.line(expedited ? "Expedited" : "Standard");
    page.blank();
    page.line("Date of Injury:");
    page.line("UR Denial Date:");
    page.line("Application");
    page.line("Received:");
    page.blank();
    us_date_line(page, c.injury);
    us_date_line(page, d.ur);
    us_date_line(page, d.received);
    page.blank();
    t.date_assigned = iso(d.assigned);
    t.decision_date = iso(d.decision);
    t.injury_date = iso(c.injury);
    t.ur_denial_date = iso(d.ur);
    t.received_date = iso(d.received);
    t.priority = expedited ? "expedited" : "standard";
    if (expedited) out.features |= kFeatureExpedited;
}

// The expert reviewer: distinct licensing states and one board with up to two subspecialties.
struct Reviewer {
    const State* states[3] = {};
    unsigned nstates = 0;
    std::string_view specs[3];
    unsigned nspecs = 0;
};

// Records the reviewer in the truth as the parser reports it: state codes, lower-case specialties.
Reviewer choose_reviewer(Rng& r, bool sentence_creds, Letter& t) {
    Reviewer rv;
    rv.nstates =
        sentence_creds ? 1 + (r.chance(300) ? 1 : 0) : 1 + (r.chance(450) ? 1 + r.below(2) : 0);
    for (unsigned k = 0; k < rv.nstates; ++k) {
        const State* s;
        bool dup;
        do {
            s = &pick(r, kStates);
            dup = false;
            for (unsigned j = 0; j < k; ++j) dup = dup || rv.states[j]->code == s->code;
        } while (dup);
        rv.states[k] = s;
        t.states.emplace_back(s->code);
    }
    rv.nspecs = 1;
    rv.specs[0] = pick(r, kBoards);
    if (r.chance(sentence_creds ? 350 : 550)) {
        rv.specs[rv.nspecs++] = pick(r, kSubspecialties);
        if (!sentence_creds && r.chance(200)) {
            // Never one specialty twice: the parser records each once.
            const std::string_view extra = pick(r, kSubspecialties);
            if (extra != rv.specs[1] && extra != rv.specs[0]) rv.specs[rv.nspecs++] = extra;
        }
    }
    if (rv.nspecs > 1 && rv.specs[1] == rv.specs[0]) rv.nspecs = 1;
    for (unsigned k = 0; k < rv.nspecs; ++k) t.specialties.push_back(lower(rv.specs[k]));
    return rv;
}

// "HOW THE IMR FINAL DETERMINATION WAS MADE": the boilerplate, which in older letters carries
// the credentials as a sentence.
void write_how_made(Page& page, const Reviewer& rv, const Layout& l, std::uint32_t& features) {
    page.line(l.dbl ? " HOW THE IMR FINAL DETERMINATION WAS MADE"
                    : "HOW THE IMR FINAL DETERMINATION WAS MADE");
    std::string para;
    para.reserve(1024);
    para += kHowMade1;
    if (l.sentence_creds) {
        para += " The expert reviewer is Board Certified in ";
        para += rv.specs[0];
        if (rv.nspecs > 1) {
            para += ", has a subspecialty in ";
            para += rv.specs[1];
            features |= kFeatureSubspecialty;
        }
        para += " and is licensed to practice in ";
        para += rv.states[0]->name;
        if (rv.nstates > 1) {
            para += " and ";
            para += rv.states[1]->name;
        }
        para += '.';
    }
    para += kHowMade2;
    para += l.sentence_creds ? "items/services"sv : "items/Service"sv;
    para += kHowMade3;
    page.para(para);
    if (l.dbl) page.blank();
}

// The newer letters' credentials list, one line each for the states and the specialties.
void write_credentials_list(Page& page, const Reviewer& rv, const Layout& l, Rng& r) {
    page.line("The Expert Reviewer has the following credentials:");
    std::string line = "State(s) of Licensure: ";
    const bool spaced = r.chance(400);
    for (unsigned k = 0; k < rv.nstates; ++k) {
        if (k > 0) line += spaced ? ", "sv : ","sv;
        line += rv.states[k]->name;
    }
    page.line(line);
    line = "Certification(s)/Specialty: ";
    for (unsigned k = 0; k < rv.nspecs; ++k) {
        if (k > 0) line += ", ";
        line += rv.specs[k];
    }
    page.line(line);
    if (l.dbl) page.blank();
}

// The summary's first sentence: age, sex and injury date in one of kPatientForms. Without a
// cover block it is the only source of the injury date, sometimes given to the month only.
void append_patient_sentence(std::string& summary, Ctx& c, bool cover, GeneratedLetter& out) {
    Rng& r = *c.rng;
    out.patient_form = r.below(kPatientSentenceForms);
    const std::string_view form = kPatientForms[out.patient_form];
    const bool has_on = contains(form, "{ON}");
    const bool month_only = !cover && has_on && r.chance(120);
    const IsoDate injury = iso_date(c.injury);
    std::size_t i = 0;
    while (i < form.size()) {
        const std::size_t open = form.find('{', i);
        if (open == std::string_view::npos) {
            summary.append(form.substr(i));
            break;
        }
        summary.append(form.substr(i, open - i));
        const std::size_t close = form.find('}', open);
        const std::string_view k = form.substr(open + 1, close - open - 1);
        i = close + 1;
        if (k == "A")
            append_int(summary, c.age);
        else if (k == "S")
            summary += c.male ? "male"sv : "female"sv;
        else if (k == "w")
            summary += c.worker;
        else if (k == "reg")
            summary += c.region->short_name;
        else if (k == "D")
            append_date(summary, c.injury, c.style);
        else if (k == "ON") {
            if (month_only) {
                summary += "in ";
                summary += kMonths[injury.month() - 1];
                summary += " of ";
                append_int(summary, injury.year());
            } else {
                summary += "on ";
                append_date(summary, c.injury, c.style);
            }
        }
    }
    Letter& t = out.truth;
    t.age = c.age;
    t.sex = c.male ? "male" : "female";
    if (!cover) {
        if (month_only) {
            t.injury_date = IsoDate::from_parts(injury.year(), injury.month())->str();
            out.features |= kFeatureMonthYearInjury;
        } else {
            t.injury_date = injury.str();
        }
    }
}

// "CLINICAL CASE SUMMARY": the patient sentence, the mechanism of injury, then sentences from
// kSummaryGroups in the order a reviewer tells a case. The truth's summary is the joined text.
void write_summary(Page& page, Ctx& c, const Layout& l, GeneratedLetter& out) {
    Rng& r = *c.rng;
    page.line("CLINICAL CASE SUMMARY");
    // Fixed lines of the form, never re-wrapped.
    page.line(kSummaryIntro.substr(0, kSummaryIntro.find(" case file")));
    page.line(kSummaryIntro.substr(kSummaryIntro.find("case file")));
    if (l.dbl) page.blank();
    std::string& summary = out.truth.summary;
    summary.reserve(3072);
    append_patient_sentence(summary, c, l.cover, out);
    summary += ' ';
    expand(summary, pick(r, kMechanisms), c);
    for (const auto& group : kSummaryGroups) {
        // One or two sentences from most groups; the last group (utilization review) always.
        const std::uint32_t n = &group == &kSummaryGroups[std::size(kSummaryGroups) - 1]
                                    ? 1
                                    : (r.chance(150) ? 0 : 1 + (r.chance(550) ? 1 : 0));
        const std::uint32_t first = r.below(4);
        for (std::uint32_t k = 0; k < n; ++k) {
            summary += ' ';
            expand(summary, group[(first + k) % 4], c);
        }
    }
    page.para(summary);
    if (l.dbl || r.chance(200)) page.blank();
}

void write_items_heading(Page& page, const Layout& l, Rng& r) {
    page.line("IMR ISSUES, DECISIONS AND RATIONALES");
    page.line(kSetForth);
    if (l.dbl || r.chance(250)) page.blank();
}

int choose_item_count(Rng& r) {
    const int roll = static_cast<int>(r.below(1000));
    int n = 1;
    while (n < 20 && roll >= kItemCdf[n - 1]) ++n;
    return n;
}

bool counts_visits(Category c) {
    return c == Category::physical_therapy || c == Category::chiropractic ||
           c == Category::acupuncture;
}

// "Physical therapy 12 sessions ... was the original request. ... 6 sessions was authorized ...
// The remaining IMR eligible portion ..., Physical therapy 6 ...". The authorized and remaining
// requests are drawn from the same Rng state, so that they differ only in the count.
void plan_session_split(ItemPlan& p, const NonDrugTemplate& nt, Ctx& c) {
    Rng& r = *c.rng;
    const int total = r.range(3, 9) * 2;
    const int auth = r.range(1, total / 2);
    ItemPlan orig;
    plan_nondrug(orig, nt, c, true, total);
    const Rng saved = r;
    ItemPlan part;
    plan_nondrug(part, nt, c, true, auth);
    ItemPlan rest;
    r = saved;
    plan_nondrug(rest, nt, c, true, total - auth);
    p = std::move(rest);
    p.original = std::move(orig.request);
    p.authorized = std::move(part.request);
    p.partial = true;
}

// "... The Claims Administrator authorized <something less>, leaving the original request IMR
// eligible": the whole request stays under review.
void authorize_less(ItemPlan& p, Rng& r) {
    p.original = p.request;
    p.partial = true;
    static constexpr std::string_view kAuth[] = {"an evaluation only",
                                                 "a trial of the requested treatment"};
    const bool visits = counts_visits(p.category) || p.category == Category::psychological_services;
    p.authorized = p.drug != nullptr ? "a one-month supply for weaning purposes"
                   : visits          ? "a reduced number of visits"
                                     : std::string(pick(r, kAuth));
}

// Quantity split: "Norco 10/325mg #60 was the original request. Norco 10/325mg #25 was
// authorized ... The remaining ... Norco 10/325mg #35 is: Upheld". Too small a quantity stays
// whole.
void split_quantity(ItemPlan& p, Rng& r) {
    const int total = std::stoi(p.quantity);
    if (total < 10) return;
    const int auth = r.range(1, total / 2);
    const std::size_t hash = p.request.find('#');
    std::size_t b = hash + 1;
    while (b < p.request.size() && p.request[b] == ' ') ++b;
    std::size_t e = b;
    while (e < p.request.size() && p.request[e] >= '0' && p.request[e] <= '9') ++e;
    const std::string prefix = p.request.substr(0, b);
    const std::string suffix = p.request.substr(e);
    p.original = p.request;
    p.authorized = prefix + std::to_string(auth) + suffix;
    p.request = prefix + std::to_string(total - auth) + suffix;
    p.quantity = std::to_string(total - auth);
    p.partial = true;
}

// One disputed item's request: a drug (mostly a common one) or another treatment, sometimes
// partly authorized by the claims administrator before the review.
ItemPlan plan_item(Ctx& c, const DrugPool& drugs) {
    Rng& r = *c.rng;
    const bool want_drug = r.below(100) < 45;
    const std::uint32_t partial_roll = r.below(1000);
    ItemPlan p;
    if (want_drug) {
        plan_drug(p, r.chance(750) ? drugs.pick_common(r) : drugs.pick_any(r), c);
    } else {
        const NonDrugTemplate& nt = pick(r, kNonDrug);
        if (counts_visits(nt.category) && partial_roll < 120 && contains(nt.text, "{n}")) {
            plan_session_split(p, nt, c);
        } else {
            plan_nondrug(p, nt, c, false, 0);
        }
    }
    if (!p.partial && partial_roll >= 940) {
        authorize_less(p, r);
    } else if (!p.partial && p.drug != nullptr && !p.quantity.empty() && partial_roll < 60 &&
               contains(p.request, "#")) {
        split_quantity(p, r);
    }
    if (p.partial && p.authorized.empty()) p.partial = false;
    return p;
}

// The item's header paragraph, which ends in the decision: the request alone, or for a partial
// authorization the original request and what was authorized first. Notes how it wrapped.
void write_item_header(Page& page, const ItemPlan& p, bool upheld, bool dbl, Rng& r, Item& item,
                       std::uint32_t& features) {
    std::string header;
    header.reserve(512);
    const std::string_view dec = upheld ? "Upheld"sv : "Overturned"sv;
    if (p.partial && p.original != p.request) {
        header += p.original;
        header += " was the original request. ";
        header += p.authorized;
        header +=
            " was authorized by the Claims Administrator. The remaining IMR eligible "
            "portion of the original request, ";
        header += p.request;
        header += r.chance(850) ? " is: "sv : ": "sv;
        features |= kFeaturePartialRemaining;
        item.original_request = p.original;
    } else if (p.partial) {
        header += p.original;
        header += " was the original request. The Claims Administrator authorized ";
        header += p.authorized;
        header += ", leaving the original request IMR eligible. The original request, ";
        header += p.request;
        header += " is: ";
        features |= kFeaturePartialLeaving;
        item.original_request = p.original;
    } else {
        header += p.request;
        header += dbl && r.chance(500) ? ":  "sv : ": "sv;
    }
    if (contains(p.request, "(unknown quantity)")) features |= kFeatureUnknownQuantity;
    header += dec;
    item.request = p.request;
    const Page::ParaInfo info = page.para(header);
    const bool decision_alone = info.last_line_start == header.size() - dec.size();
    if (decision_alone) features |= kFeatureDecisionAlone;
    if ((info.lines > 1 && !decision_alone) || info.lines > 2) features |= kFeatureWrappedRequest;
}

void write_labelled(Page& page, std::string_view label, std::string_view text) {
    std::string para;
    para.reserve(label.size() + text.size());
    para += label;
    para += text;
    page.para(para);
}

// One disputed item: its header, both guideline citations and the rationale; the truth gets
// the same values.
void write_item(Page& page, const ItemPlan& p, bool upheld, Ctx& c, bool dbl,
                GeneratedLetter& out) {
    Rng& r = *c.rng;
    Item& item = out.truth.items.emplace_back();
    item.decision = upheld ? Decision::upheld : Decision::overturned;
    item.category = p.category;
    if (p.drug != nullptr) {
        item.drug = p.drug->drug;
        item.drug_class = p.drug->drug_class;
    }
    item.strength = p.strength;
    item.quantity = p.quantity;
    write_item_header(page, p, upheld, dbl, r, item, out.features);
    if (dbl) page.blank();

    make_guideline(item.ca_guideline, p, c, true, out.features);
    write_labelled(page, "Claims Administrator guideline: ", item.ca_guideline.text);
    if (dbl) page.blank();
    make_guideline(item.maximus_guideline, p, c, false, out.features);
    write_labelled(page, "MAXIMUS guideline: ", item.maximus_guideline.text);
    if (dbl || r.chance(40)) page.blank();
    make_rationale(item.rationale, p, upheld, c);
    write_labelled(page, "Decision rationale: ", item.rationale);
    if (dbl) page.blank();
}

}  // namespace

// ---- LetterGenerator --------------------------------------------------------------------------

LetterGenerator::LetterGenerator(std::uint64_t seed, const DrugVocabulary& vocab) : seed_(seed) {
    id_mult_ = splitmix(seed ^ 0x5eedULL) % kIdSpace;
    id_mult_ |= 1;
    while (gcd(id_mult_, kIdSpace) != 1) id_mult_ += 2;
    id_add_ = splitmix(seed + 0x1dULL) % kIdSpace;
    for (const DrugEntry& e : vocab.entries()) {
        bool plain = !e.name.empty() && !e.drug.empty();
        for (char ch : e.name) {
            if (!((ch >= 'a' && ch <= 'z') || ch == ' ' || ch == '-')) plain = false;
        }
        if (!plain) continue;
        // A name the vocabulary resolves to another drug (a duplicate name) cannot be written
        // with a known truth.
        const auto self = vocab.match(e.name + " 10mg");
        if (!self || self->offset != 0 || self->entry->drug != e.drug) continue;
        DrugChoice dc;
        dc.entry = &e;
        static constexpr std::string_view kFormWords[] = {" patch", " cream", " gel", " ointment"};
        for (std::uint32_t f = 0; f < 4; ++f) {
            const std::string probe = e.name + std::string(kFormWords[f]) + " 120g";
            const auto m = vocab.match(probe);
            if (m && m->offset == 0 && m->entry->drug == e.drug) dc.safe_forms |= 1u << f;
        }
        if (e.brand) {
            for (const DrugEntry& g : vocab.entries()) {
                if (!g.brand && g.drug == e.drug && g.name == e.drug) { dc.generic = &g; break; }
            }
        }
        drugs_.push_back(dc);
    }
    // Requests concentrate on a few dozen drugs; the rest of the vocabulary keeps a share.
    static constexpr std::string_view kCommon[] = {
        "acetaminophen/hydrocodone", "tramadol", "acetaminophen/tramadol", "acetaminophen/oxycodone",
        "oxycodone", "gabapentin", "pregabalin", "cyclobenzaprine", "carisoprodol", "tizanidine",
        "methocarbamol", "orphenadrine", "baclofen", "omeprazole", "pantoprazole", "naproxen",
        "ibuprofen", "meloxicam", "diclofenac", "celecoxib", "nabumetone", "lidocaine",
        "alprazolam", "clonazepam", "diazepam", "lorazepam", "zolpidem", "duloxetine",
        "amitriptyline", "nortriptyline", "venlafaxine", "trazodone", "sertraline", "morphine",
        "fentanyl", "buprenorphine", "methadone", "hydromorphone", "tapentadol", "ondansetron",
        "ketoprofen", "ranitidine", "docusate", "capsaicin", "etodolac", "esomeprazole"};
    for (std::size_t k = 0; k < drugs_.size(); ++k) {
        const DrugEntry& e = *drugs_[k].entry;
        bool common = contains(e.drug_class, "topical");
        for (std::string_view d : kCommon) common = common || e.drug == d;
        if (common) common_.push_back(static_cast<std::uint32_t>(k));
    }
    if (common_.empty()) {
        for (std::size_t k = 0; k < drugs_.size(); ++k) common_.push_back(static_cast<std::uint32_t>(k));
    }
    if (drugs_.empty()) throw ConfigError("imr-corpus: the drug vocabulary has no usable entry");
}

std::uint64_t LetterGenerator::id_capacity() const noexcept { return kIdSpace; }

std::string LetterGenerator::id_of(std::uint64_t index) const {
    // Both factors are below kIdSpace (1.2e7), so the product fits in 64 bits.
    const std::uint64_t k = ((index % kIdSpace) * id_mult_ + id_add_) % kIdSpace;
    std::string id = "CM";
    append_2(id, static_cast<unsigned>(13 + k / kPerYear));
    id += '-';
    const std::uint64_t n = k % kPerYear;
    char digits[8];
    std::uint64_t v = n;
    for (int i = 6; i >= 0; --i) { digits[i] = static_cast<char>('0' + v % 10); v /= 10; }
    id.append(digits, 7);
    return id;
}

GeneratedLetter LetterGenerator::generate(std::uint64_t index) const {
    GeneratedLetter g;
    generate(index, g);
    return g;
}

void LetterGenerator::generate(std::uint64_t index, GeneratedLetter& out) const {
    Rng r(splitmix(seed_ ^ splitmix(index + 0x632be59bd9b4e019ULL)));
    out.text.clear();
    out.truth = Letter{};
    out.features = 0;
    Letter& t = out.truth;
    t.id = id_of(index);
    t.source = corpus_txt_path(t.id);

    const DrugPool drugs{drugs_, common_};
    const CaseDates dates = choose_dates(r, t.id);
    Ctx c = choose_case(r, dates, drugs);
    const Layout layout = choose_layout(r, dates.year);
    out.features |= layout.features();

    out.text.reserve(16384);
    Page page = open_page(out.text, layout, r);
    if (layout.cover) write_cover(page, dates, c, out);
    const Reviewer reviewer = choose_reviewer(r, layout.sentence_creds, t);
    write_how_made(page, reviewer, layout, out.features);
    if (!layout.sentence_creds) write_credentials_list(page, reviewer, layout, r);
    write_summary(page, c, layout, out);

    write_items_heading(page, layout, r);
    const int nitems = choose_item_count(r);
    t.items.reserve(static_cast<std::size_t>(nitems));
    for (int k = 0; k < nitems; ++k) {
        const bool upheld = r.below(1000) >= 100;  // drawn before the request, as ever
        const ItemPlan p = plan_item(c, drugs);
        write_item(page, p, upheld, c, layout.dbl, out);
    }
    page.finish();
    if (page.form_feeds() > 0) out.features |= kFeatureFormFeed;
}

std::string corpus_txt_path(std::string_view id) {
    // "CM16-0213037" -> "txt/CM16/021/CM16-0213037.txt"
    std::string p = "txt/";
    p.append(id.substr(0, 4));
    p += '/';
    p.append(id.size() >= 8 ? id.substr(5, 3) : std::string_view("000"));
    p += '/';
    p.append(id);
    p += ".txt";
    return p;
}

}  // namespace imrdex
