//! Generates the demo dataset from the catalog: deterministic, so every run (and every engine) gets
//! the same rows with the same ids.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use entity::{
    CompanySize, EmploymentType, Industry, SalaryPeriod, Seniority, SkillCategory, StringList,
    VacancyStatus, Workplace, developer, developer_skill, employer, skill, vacancy, vacancy_skill,
};

use super::{
    catalog::{
        BI_STACK, COUNTRIES, Country, EMPLOYERS, EmployerSpec, SKILLS, STACK_WEIGHTS, STACKS,
        SkillSpec, Stack, achievements, country, domain_phrase, education, experience_years,
        junior_responsibilities, responsibilities, senior_responsibilities, seniority_pay,
        size_pay, teams,
    },
    rng::Rng,
    taxonomy::{EXTRA_SKILLS, GENERAL},
};

/// The seed of the demo dataset.
const SEED: u64 = 0x7A1E_17A9_1D0C_2026;

/// Developers in the demo dataset.
pub const DEMO_DEVELOPERS: usize = 300;

/// Vacancies in the demo dataset.
pub const DEMO_VACANCIES: usize = 150;

/// The moment the demo data describes: 2026-11-01 09:00 UTC. Dates are relative to it, so the data
/// never changes from one run to the next.
pub fn anchor() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(1_793_523_600)
}

/// Rows of a generated directory, with ids assigned from 1.
#[derive(Debug, Default)]
pub struct Dataset {
    pub skills: Vec<skill::Model>,
    pub employers: Vec<employer::Model>,
    pub developers: Vec<developer::Model>,
    pub developer_skills: Vec<developer_skill::Model>,
    pub vacancies: Vec<vacancy::Model>,
    pub vacancy_skills: Vec<vacancy_skill::Model>,
}

/// How big a generated directory is. Scale N has the catalog's employers plus `15 × (N − 1)`
/// made-up employers, `300 × N` developers and `150 × N` vacancies, and from scale 2 on the wider
/// taxonomy of 300 skills (the demo keeps to 74): scale 1 is the demo dataset; scale 334 is the
/// benchmark's directory of 100,200 developers, 50,100 vacancies and 5,025 employers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub employers: usize,
    pub developers: usize,
    pub vacancies: usize,
    /// Whether the directory uses the wider taxonomy ([`EXTRA_SKILLS`]) besides the catalog's.
    pub wide_taxonomy: bool,
}

impl Plan {
    /// The directory of scale `n` (at least 1).
    pub fn scale(n: usize) -> Self {
        let n = n.max(1);
        Self {
            employers: EMPLOYERS.len() + EMPLOYERS_PER_SCALE * (n - 1),
            developers: DEMO_DEVELOPERS * n,
            vacancies: DEMO_VACANCIES * n,
            wide_taxonomy: n > 1,
        }
    }
}

/// Made-up employers each step of scale adds.
const EMPLOYERS_PER_SCALE: usize = 15;

/// Developers or vacancies per chunk the generator hands out.
pub const CHUNK: usize = 2_000;

/// The demo dataset, whole: every skill and employer of the catalog, 300 developers and 150
/// vacancies.
pub fn demo() -> Dataset {
    let mut all = Dataset::default();
    for chunk in Chunks::new(Plan::scale(1)) {
        all.append(chunk);
    }
    all
}

impl Dataset {
    /// Adds the rows of `other`.
    pub fn append(&mut self, other: Dataset) {
        self.skills.extend(other.skills);
        self.employers.extend(other.employers);
        self.developers.extend(other.developers);
        self.developer_skills.extend(other.developer_skills);
        self.vacancies.extend(other.vacancies);
        self.vacancy_skills.extend(other.vacancy_skills);
    }
}

/// A directory generated a chunk at a time, so a large one never sits in memory whole: first the
/// skills and employers, then developers, then vacancies, [`CHUNK`] at a time. Deterministic:
/// every run, and every engine, gets the same rows with the same ids.
pub struct Chunks {
    generator: Generator,
    plan: Plan,
    started: bool,
    next_developer: usize,
    /// Vacancies per employer, and the next employer whose vacancies to generate.
    counts: Vec<usize>,
    next_employer: usize,
    next_vacancy_id: i64,
}

impl Chunks {
    /// The chunks of the directory `plan` describes.
    pub fn new(plan: Plan) -> Self {
        Self {
            generator: Generator {
                rng: Rng::new(SEED),
                skills: taxonomy(plan)
                    .enumerate()
                    .map(|(i, (slug, name, ..))| (*slug, (i as i64 + 1, *name)))
                    .collect(),
                wide: plan.wide_taxonomy,
                general: general_by_category(),
                hiring: Vec::new(),
                handles: HashSet::new(),
            },
            plan,
            started: false,
            next_developer: 0,
            counts: Vec::new(),
            next_employer: 0,
            next_vacancy_id: 1,
        }
    }
}

impl Iterator for Chunks {
    type Item = Dataset;

    fn next(&mut self) -> Option<Dataset> {
        let mut data = Dataset::default();
        if !self.started {
            self.started = true;
            data.skills = skills(self.plan);
            self.generator.employers(&mut data, self.plan.employers);
            self.counts = self.generator.vacancy_counts(self.plan.vacancies);
            return Some(data);
        }
        if self.next_developer < self.plan.developers {
            let end = (self.next_developer + CHUNK).min(self.plan.developers);
            self.generator
                .developers(&mut data, self.next_developer..end);
            self.next_developer = end;
            return Some(data);
        }
        while self.next_employer < self.counts.len() && data.vacancies.len() < CHUNK {
            let employer = self.next_employer;
            for _ in 0..self.counts[employer] {
                let id = self.next_vacancy_id;
                self.next_vacancy_id += 1;
                let (vacancy, skills) = self.generator.vacancy(id, employer);
                data.vacancies.push(vacancy);
                data.vacancy_skills.extend(skills);
            }
            self.next_employer += 1;
        }
        (!data.vacancies.is_empty()).then_some(data)
    }
}

/// The skills of a directory: the catalog's, then the wider taxonomy's if the plan has it.
fn taxonomy(plan: Plan) -> impl Iterator<Item = &'static SkillSpec> {
    let extra: &'static [SkillSpec] = if plan.wide_taxonomy {
        &EXTRA_SKILLS
    } else {
        &[]
    };
    SKILLS.iter().chain(extra)
}

/// [`GENERAL`] grouped by category.
fn general_by_category() -> Vec<(SkillCategory, Vec<&'static str>)> {
    let mut groups: Vec<(SkillCategory, Vec<&'static str>)> = Vec::new();
    for (slug, _, category, ..) in EXTRA_SKILLS.iter() {
        if !GENERAL.contains(slug) {
            continue;
        }
        match groups.iter_mut().find(|(c, _)| c == category) {
            Some((_, slugs)) => slugs.push(slug),
            None => groups.push((*category, vec![slug])),
        }
    }
    groups
}

/// The skills of `category` in `groups` (none if it has none).
fn pool<'a>(
    groups: &'a [(SkillCategory, Vec<&'static str>)],
    category: SkillCategory,
) -> &'a [&'static str] {
    groups
        .iter()
        .find(|(c, _)| *c == category)
        .map_or(&[], |(_, slugs)| slugs.as_slice())
}

fn skills(plan: Plan) -> Vec<skill::Model> {
    let added = anchor() - Duration::days(800);
    taxonomy(plan)
        .enumerate()
        .map(
            |(i, (slug, name, category, aliases, description))| skill::Model {
                id: i as i64 + 1,
                slug: (*slug).to_owned(),
                name: (*name).to_owned(),
                category: *category,
                description: (*description).to_owned(),
                aliases: StringList(aliases.iter().map(|alias| (*alias).to_owned()).collect()),
                created_at: added,
                updated_at: added,
                version: 1,
            },
        )
        .collect()
}

struct Generator {
    rng: Rng,
    /// slug → (id, name)
    skills: HashMap<&'static str, (i64, &'static str)>,
    /// Whether developers and vacancies draw from the wider taxonomy too.
    wide: bool,
    /// The wider taxonomy's skills of the market at large, by category.
    general: Vec<(SkillCategory, Vec<&'static str>)>,
    /// The employers, in id order (id = index + 1).
    hiring: Vec<Hiring>,
    /// Developer handles given out so far.
    handles: HashSet<String>,
}

/// An employer as the generator uses it: one of the catalog's, or one made up for a large
/// directory.
struct Hiring {
    name: String,
    industry: Industry,
    size: CompanySize,
    city: &'static str,
    country: &'static str,
    stacks: Vec<usize>,
    description: String,
}

/// Words that end made-up employer names, by industry.
fn name_endings(industry: Industry) -> &'static [&'static str] {
    match industry {
        Industry::Software => &["Software", "Labs", "Systems", "Digital"],
        Industry::Finance => &["Bank", "Capital", "Payments", "Insurance"],
        Industry::Retail => &["Retail", "Stores", "Commerce", "Market"],
        Industry::Logistics => &["Logistics", "Freight", "Transport", "Shipping"],
        Industry::Media => &["Media", "Publishing", "Studios", "News"],
        Industry::Printing => &["Print", "Press", "Print Works"],
        Industry::Engineering => &["Engineering", "Industries", "Maschinen", "Works"],
        Industry::Automotive => &["Motors", "Automotive", "Mobility"],
        Industry::Healthcare => &["Health", "Clinics", "Medical", "Care"],
        Industry::Education => &["Learning", "Academy", "Education"],
        Industry::Government => &["Public Services", "Agency", "Digital Service"],
    }
}

/// The skills one developer has or one vacancy asks for, without duplicates, in order.
#[derive(Default)]
struct Picked {
    order: Vec<&'static str>,
    seen: HashSet<&'static str>,
}

impl Picked {
    fn add(&mut self, slug: &'static str) -> bool {
        let fresh = self.seen.insert(slug);
        if fresh {
            self.order.push(slug);
        }
        fresh
    }
}

const SENIORITY_WEIGHTS: &[(Seniority, u32)] = &[
    (Seniority::Intern, 4),
    (Seniority::Junior, 18),
    (Seniority::Middle, 33),
    (Seniority::Senior, 28),
    (Seniority::Lead, 11),
    (Seniority::Principal, 6),
];

const VACANCY_SENIORITY_WEIGHTS: &[(Seniority, u32)] = &[
    (Seniority::Intern, 5),
    (Seniority::Junior, 15),
    (Seniority::Middle, 30),
    (Seniority::Senior, 32),
    (Seniority::Lead, 12),
    (Seniority::Principal, 6),
];

const PRACTICES: &[&str] = &[
    "data-modelling",
    "schema-design",
    "api-design",
    "debugging",
    "security",
    "performance",
    "deployment",
    "algorithms",
    "observability",
];

const SOFT_SKILLS: &[&str] = &[
    "teamwork",
    "communication",
    "problem-solving",
    "analytical-thinking",
    "creativity",
    "organisation",
    "attention-to-detail",
];

const INDUSTRIES: &[Industry] = &[
    Industry::Software,
    Industry::Finance,
    Industry::Retail,
    Industry::Logistics,
    Industry::Media,
    Industry::Printing,
    Industry::Engineering,
    Industry::Automotive,
    Industry::Healthcare,
    Industry::Education,
    Industry::Government,
];

/// The typical level of a person or requirement at `seniority`.
fn base_level(seniority: Seniority) -> i64 {
    match seniority {
        Seniority::Intern => 1,
        Seniority::Junior => 2,
        Seniority::Middle => 3,
        Seniority::Senior | Seniority::Lead => 4,
        Seniority::Principal => 5,
    }
}

/// `amount` rounded to the step people quote salaries in.
fn round_to(amount: i64, step: i64) -> i64 {
    ((amount + step / 2) / step).max(1) * step
}

fn salary_step(currency: &str) -> i64 {
    if matches!(currency, "USD" | "CAD") {
        1000
    } else {
        500
    }
}

/// A URL-safe handle or slug for a name: ASCII, lower case, words joined by `-`.
fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        if folded == "-" && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push_str(folded);
    }
    out.trim_end_matches('-').to_owned()
}

fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Generator {
    fn id(&self, slug: &str) -> i64 {
        self.skills.get(slug).map_or(0, |(id, _)| *id)
    }

    fn name(&self, slug: &str) -> &'static str {
        self.skills.get(slug).map_or("", |(_, name)| name)
    }

    fn days_before(&mut self, at: DateTime<Utc>, lo: i64, hi: i64) -> DateTime<Utc> {
        at - Duration::days(self.rng.range(lo, hi)) - Duration::seconds(self.rng.range(0, 86_399))
    }

    /// The stack's language and framework, with one framework variant drawn.
    fn core(&mut self, stack: &Stack) -> Vec<&'static str> {
        let mut core = stack.core.to_vec();
        if !stack.variant.is_empty() {
            core.push(*self.rng.pick(stack.variant));
        }
        core
    }

    /// "Java, Spring Boot": the first language and the framework of a core.
    fn stack_label(&self, core: &[&'static str]) -> String {
        let framework = core.iter().skip(1).rev().find(|slug| {
            SKILLS.iter().any(|(s, _, category, ..)| {
                s == *slug && matches!(category, SkillCategory::Framework | SkillCategory::Platform)
            })
        });
        match (core.first(), framework.or(core.get(1))) {
            (Some(first), Some(second)) => format!("{}, {}", self.name(first), self.name(second)),
            (Some(first), None) => self.name(first).to_owned(),
            _ => String::new(),
        }
    }

    /// The annual gross salary typical of this country, level, company size and stack.
    fn annual_salary(
        country: &Country,
        seniority: Seniority,
        size: CompanySize,
        stack: &Stack,
    ) -> i64 {
        country.middle_salary * seniority_pay(seniority) / 100 * size_pay(size) / 100
            * (100 + stack.premium)
            / 100
    }

    /// The catalog's employers, then made-up ones up to `count` in all.
    fn employers(&mut self, data: &mut Dataset, count: usize) {
        let mut slugs = HashSet::new();
        for spec in EMPLOYERS.iter() {
            slugs.insert(spec.slug.to_owned());
            self.employer(data, spec.slug.to_owned(), Self::catalog(spec));
        }
        let country_weights: Vec<(usize, u32)> = COUNTRIES
            .iter()
            .enumerate()
            .map(|(i, (_, weight))| (i, *weight))
            .collect();
        while data.employers.len() < count {
            let country = &COUNTRIES[self.rng.weighted(&country_weights)].0;
            let industry = *self.rng.pick(INDUSTRIES);
            let size = self.rng.weighted(&[
                (CompanySize::Startup, 20),
                (CompanySize::Small, 30),
                (CompanySize::Medium, 25),
                (CompanySize::Large, 15),
                (CompanySize::Enterprise, 10),
            ]);
            let name = format!(
                "{} {}",
                self.rng.pick(country.names.last),
                self.rng.pick(name_endings(industry))
            );
            let base = slugify(&name);
            let mut slug = base.clone();
            let mut n = 2;
            while !slugs.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let city = *self.rng.pick(country.cities);
            let stacks = (0..self.rng.range(1, 3))
                .map(|_| self.rng.weighted(&STACK_WEIGHTS))
                .collect();
            let people = match size {
                CompanySize::Startup => "a start-up of a few dozen people",
                CompanySize::Small => "a small company",
                CompanySize::Medium => "a mid-sized company",
                CompanySize::Large => "a large company",
                CompanySize::Enterprise => "an enterprise with offices in several countries",
            };
            let description = format!(
                "{name} is {people} based in {city}, building {}.",
                domain_phrase(industry)
            );
            self.employer(
                data,
                slug,
                Hiring {
                    name,
                    industry,
                    size,
                    city,
                    country: country.code,
                    stacks,
                    description,
                },
            );
        }
    }

    fn catalog(spec: &EmployerSpec) -> Hiring {
        Hiring {
            name: spec.name.to_owned(),
            industry: spec.industry,
            size: spec.size,
            city: spec.city,
            country: spec.country,
            stacks: spec.stacks.to_vec(),
            description: spec.description.to_owned(),
        }
    }

    fn employer(&mut self, data: &mut Dataset, slug: String, hiring: Hiring) {
        let created = self.days_before(anchor(), 200, 900);
        let at = crate::geo::locate(Some(hiring.city), hiring.country);
        data.employers.push(employer::Model {
            id: data.employers.len() as i64 + 1,
            website: Some(format!("https://{slug}.example")),
            slug,
            name: hiring.name.clone(),
            industry: hiring.industry,
            size: hiring.size,
            description: hiring.description.clone(),
            city: hiring.city.to_owned(),
            country_code: hiring.country.to_owned(),
            latitude: at.latitude,
            longitude: at.longitude,
            created_at: created,
            updated_at: created,
            version: 1,
        });
        self.hiring.push(hiring);
    }

    /// The developers with these indexes (ids are index + 1).
    fn developers(&mut self, data: &mut Dataset, indexes: std::ops::Range<usize>) {
        let country_weights: Vec<(usize, u32)> = COUNTRIES
            .iter()
            .enumerate()
            .map(|(i, (_, weight))| (i, *weight))
            .collect();
        for i in indexes {
            let id = i as i64 + 1;
            let country = &COUNTRIES[self.rng.weighted(&country_weights)].0;
            let first = *self.rng.pick(country.names.first);
            let last = *self.rng.pick(country.names.last);
            let name = format!("{first} {last}");
            let mut handle = slugify(&name);
            let base = handle.clone();
            let mut n = 2;
            while !self.handles.insert(handle.clone()) {
                handle = format!("{base}-{n}");
                n += 1;
            }
            let email = format!(
                "{}@example.{}",
                handle.replace('-', "."),
                self.rng.pick(&["com", "org", "net"])
            );
            let seniority = self.rng.weighted(SENIORITY_WEIGHTS);
            let (lo, hi) = experience_years(seniority);
            let years = self.rng.range(lo, hi);
            let stack_index = self.rng.weighted(&STACK_WEIGHTS);
            let stack = &STACKS[stack_index];
            let city = *self.rng.pick(country.cities);
            let remote = self.rng.weighted(&[
                (Workplace::Remote, 35),
                (Workplace::Hybrid, 45),
                (Workplace::Onsite, 20),
            ]);
            let open_to_work = self.rng.chance(0.45);

            let picked = self.developer_skills(stack, seniority, stack_index == *BI_STACK);
            let core = picked
                .order
                .iter()
                .take(stack.core.len() + usize::from(!stack.variant.is_empty()))
                .copied()
                .collect::<Vec<_>>();
            let level = base_level(seniority);
            for (position, slug) in picked.order.iter().enumerate() {
                let is_core = position < core.len();
                let skill_level = if is_core {
                    level + self.rng.range(0, 1)
                } else if SOFT_SKILLS.contains(slug) || *slug == "mentoring" {
                    self.rng.range(2, 4) + i64::from(level >= 4)
                } else {
                    level - self.rng.range(0, 1)
                };
                let skill_years = if is_core {
                    (years - self.rng.range(0, 1)).max(years.min(1))
                } else {
                    self.rng.range(years.min(1), years)
                };
                let created = anchor() - Duration::days(30);
                data.developer_skills.push(developer_skill::Model {
                    developer_id: id,
                    skill_id: self.id(slug),
                    level: skill_level.clamp(1, 5) as i16,
                    years: skill_years as i32,
                    created_at: created,
                    updated_at: created,
                });
            }

            let title = self.developer_title(seniority, stack, stack_index == *BI_STACK);
            let top: Vec<&str> = picked
                .order
                .iter()
                .take(3)
                .map(|slug| self.name(slug))
                .collect();
            let headline = format!("{title} · {}", top.join(", "));
            let bio = self.bio(
                first,
                years,
                seniority,
                stack,
                &core,
                &picked,
                remote,
                open_to_work,
                city,
            );
            let salary = self.rng.chance(0.8).then(|| {
                let base = Self::annual_salary(country, seniority, CompanySize::Medium, stack)
                    * self.rng.range(90, 120)
                    / 100;
                (
                    round_to(base, salary_step(country.currency)),
                    country.currency.to_owned(),
                )
            });
            let links = Self::profile_links(id, &handle);
            let created = self.days_before(anchor(), 1, 900);
            let updated = self.days_before(anchor(), 0, (anchor() - created).num_days());
            let at = crate::geo::locate(Some(city), country.code);
            data.developers.push(developer::Model {
                id,
                handle,
                name,
                email,
                headline,
                bio,
                seniority,
                years_of_experience: years as i32,
                city: city.to_owned(),
                country_code: country.code.to_owned(),
                latitude: at.latitude,
                longitude: at.longitude,
                geo_x: at.vector.map(|v| v[0]),
                geo_y: at.vector.map(|v| v[1]),
                geo_z: at.vector.map(|v| v[2]),
                remote_preference: remote,
                open_to_work,
                salary_expectation_amount: salary.as_ref().map(|(amount, _)| *amount),
                salary_expectation_currency: salary.map(|(_, currency)| currency),
                links,
                created_at: created,
                updated_at: updated.max(created),
                version: 1,
            });
        }
    }

    /// The public profiles of developer `id`: most have a GitHub account, many a LinkedIn profile,
    /// a few a site of their own. Derived from the id, not drawn, so adding them changed no other
    /// generated value.
    fn profile_links(id: i64, handle: &str) -> entity::StringList {
        let mut links = Vec::new();
        if id % 10 < 7 {
            links.push(format!("https://github.com/{handle}"));
        }
        if id % 2 == 0 {
            links.push(format!("https://www.linkedin.com/in/{handle}"));
        }
        if id % 9 == 4 {
            links.push(format!("https://{handle}.dev"));
        }
        links.into()
    }

    fn developer_skills(&mut self, stack: &Stack, seniority: Seniority, bi: bool) -> Picked {
        let mut picked = Picked::default();
        for slug in self.core(stack) {
            picked.add(slug);
        }
        // The wider taxonomy adds the stack's libraries and tools: fewer of everything else then,
        // to keep about a dozen skills a person.
        let most = if self.wide { 2 } else { 3 };
        let databases = self.rng.range(1, most) as usize;
        for slug in self.rng.sample(stack.databases, databases) {
            picked.add(slug);
        }
        let platforms = self.rng.range(1, most) as usize;
        for slug in self.rng.sample(stack.platforms, platforms) {
            picked.add(slug);
        }
        let apis = self.rng.range(1, most - 1) as usize;
        for slug in self.rng.sample(stack.apis, apis) {
            picked.add(slug);
        }
        if self.wide {
            self.wider_skills(stack, &mut picked);
        }
        if stack.full_stack {
            picked.add("html5");
            picked.add("css3");
            if self.rng.chance(0.5) {
                picked.add("bootstrap");
            }
        }
        picked.add("git");
        if self.rng.chance(0.7) {
            picked.add("testing");
        }
        if bi {
            picked.add("data-modelling");
            picked.add("schema-design");
        }
        let practices = if self.wide {
            self.rng.range(0, 1)
        } else {
            self.rng.range(1, 3)
        } as usize;
        for slug in self.rng.sample(PRACTICES, practices) {
            picked.add(slug);
        }
        if seniority >= Seniority::Senior {
            for slug in ["system-design", "microservices"] {
                if self.rng.chance(0.6) {
                    picked.add(slug);
                }
            }
        }
        let soft = if self.wide {
            self.rng.range(0, 1)
        } else {
            self.rng.range(2, 3)
        } as usize;
        for slug in self.rng.sample(SOFT_SKILLS, soft) {
            picked.add(slug);
        }
        if seniority >= Seniority::Lead {
            picked.add("mentoring");
        }
        picked
    }

    /// The libraries and tools of the stack a developer on it knows (one or two), and up to two
    /// skills of the market at large (mostly platforms and databases, sometimes a practice, a
    /// front-end library or a soft skill).
    fn wider_skills(&mut self, stack: &Stack, picked: &mut Picked) {
        use SkillCategory::{
            Api, Database, Framework, Frontend, Language, Platform, Practice, Soft,
        };
        let count = self.rng.range(1, 2) as usize;
        for slug in self.rng.sample(stack.ecosystem, count) {
            picked.add(slug);
        }
        for _ in 0..self.rng.range(0, 2) {
            let category = self.rng.weighted(&[
                (Platform, 45),
                (Database, 20),
                (Practice, 20),
                (Frontend, if stack.full_stack { 25 } else { 3 }),
                (Language, 4),
                (Api, 8),
                (Soft, 6),
                (Framework, 4),
            ]);
            if let Some(slug) = self.rng.pick_in(pool(&self.general, category)) {
                picked.add(slug);
            }
        }
    }

    /// A role title seen in the market for people on `stack`.
    fn role(&mut self, stack: &Stack, bi: bool) -> &'static str {
        const ROLES: &[&str] = &[
            "Back-end Engineer",
            "Back-end Software Engineer",
            "Backend Web Developer",
            "Full-stack Developer",
        ];
        if bi {
            "Business Intelligence Developer"
        } else {
            // Full-stack titles only for stacks whose people also build pages.
            ROLES[self.rng.below(if stack.full_stack { 4 } else { 3 })]
        }
    }

    fn developer_title(&mut self, seniority: Seniority, stack: &Stack, bi: bool) -> String {
        let role = self.role(stack, bi);
        match seniority {
            Seniority::Intern => "Back-end Developer Intern".to_owned(),
            Seniority::Junior => format!("Junior {role}"),
            Seniority::Middle if self.rng.chance(0.25) => format!("Middle+ {role}"),
            Seniority::Middle => role.to_owned(),
            Seniority::Senior => format!("Senior {role}"),
            Seniority::Lead => (*self.rng.pick(&[
                "Team Lead, Back-end",
                "Lead Back-end Engineer",
                "Development Manager",
            ]))
            .to_owned(),
            Seniority::Principal => (*self.rng.pick(&[
                "Principal Back-end Engineer",
                "Solution Architect",
                "Chief Architect",
                "Development Director",
            ]))
            .to_owned(),
        }
    }
    fn bio(
        &mut self,
        first: &str,
        years: i64,
        seniority: Seniority,
        stack: &Stack,
        core: &[&'static str],
        picked: &Picked,
        remote: Workplace,
        open_to_work: bool,
        city: &str,
    ) -> String {
        let core_names: Vec<&str> = core.iter().map(|slug| self.name(slug)).collect();
        let mut parts = Vec::new();
        if seniority == Seniority::Intern {
            parts.push(format!(
                "{first} is finishing a degree and interning on back-end projects with {}.",
                join_names(&core_names)
            ));
        } else {
            let industry = *self.rng.pick(INDUSTRIES);
            let span = if years == 1 {
                "1 year".to_owned()
            } else {
                format!("{years} years")
            };
            parts.push(format!(
                "{first} has spent {span} building {} with {}.",
                domain_phrase(industry),
                join_names(&core_names)
            ));
            let of_category = |categories: &[SkillCategory]| {
                picked
                    .order
                    .iter()
                    .find(|slug| {
                        SKILLS
                            .iter()
                            .any(|(s, _, category, ..)| s == *slug && categories.contains(category))
                    })
                    .map_or("", |slug| self.name(slug))
            };
            let db = of_category(&[SkillCategory::Database]);
            let platform = of_category(&[SkillCategory::Platform]);
            let api = of_category(&[SkillCategory::Api]);
            let achievement = *self.rng.pick(achievements());
            parts.push(
                achievement
                    .replace("{db}", if db.is_empty() { "PostgreSQL" } else { db })
                    .replace(
                        "{platform}",
                        if platform.is_empty() {
                            "Docker"
                        } else {
                            platform
                        },
                    )
                    .replace("{api}", if api.is_empty() { "REST" } else { api }),
            );
        }
        parts.push((*self.rng.pick(education())).to_owned());
        if let Some(certificate) = stack.certificate
            && self.rng.chance(0.35)
        {
            parts.push(format!("Holds the {certificate} certification."));
        }
        if open_to_work {
            parts.push(match remote {
                Workplace::Remote => "Open to fully remote roles.".to_owned(),
                Workplace::Hybrid => format!("Open to hybrid roles in {city}, or remote."),
                Workplace::Onsite => format!("Open to on-site roles in {city}."),
            });
        }
        parts.join(" ")
    }

    /// How many vacancies each employer posts: larger employers post more, `total` in all.
    fn vacancy_counts(&self, total: usize) -> Vec<usize> {
        let base: Vec<usize> = self
            .hiring
            .iter()
            .map(|hiring| match hiring.size {
                CompanySize::Startup => 3,
                CompanySize::Small => 4,
                CompanySize::Medium => 5,
                CompanySize::Large => 7,
                CompanySize::Enterprise => 6,
            })
            .collect();
        let sum: usize = base.iter().sum::<usize>().max(1);
        let mut counts: Vec<usize> = base.iter().map(|b| b * total / sum).collect();
        let mut by_size: Vec<usize> = (0..self.hiring.len()).collect();
        by_size.sort_by_key(|&i| std::cmp::Reverse(self.hiring[i].size));
        let remainder = total.saturating_sub(counts.iter().sum());
        for &i in by_size.iter().cycle().take(remainder) {
            counts[i] += 1;
        }
        counts
    }

    /// Vacancy `id` of the employer at `employer` (its id is `employer + 1`).
    fn vacancy(&mut self, id: i64, employer: usize) -> (vacancy::Model, Vec<vacancy_skill::Model>) {
        let employer_id = employer as i64 + 1;
        let spec = &self.hiring[employer];
        let (spec_city, spec_country, spec_industry, spec_size) =
            (spec.city, spec.country, spec.industry, spec.size);
        let (spec_name, spec_description) = (spec.name.clone(), spec.description.clone());
        let stacks = spec.stacks.clone();
        let stack_index = *self.rng.pick(&stacks);
        let stack = &STACKS[stack_index];
        let bi = stack_index == *BI_STACK;
        let seniority = self.rng.weighted(VACANCY_SENIORITY_WEIGHTS);
        let employment_type = if seniority == Seniority::Intern {
            EmploymentType::Intern
        } else {
            self.rng.weighted(&[
                (EmploymentType::FullTime, 82),
                (EmploymentType::Contractor, 8),
                (EmploymentType::PartTime, 5),
                (EmploymentType::Temporary, 5),
            ])
        };
        let workplace = self.rng.weighted(&[
            (Workplace::Hybrid, 40),
            (Workplace::Remote, 30),
            (Workplace::Onsite, 30),
        ]);
        let country = country(spec_country);
        let (team, mission) = *self.rng.pick(teams(spec_industry));

        // Skills: the stack's core, one database and one API style are must-haves.
        let core = self.core(stack);
        let mut must = Picked::default();
        for slug in &core {
            must.add(slug);
        }
        let db = *self.rng.pick(stack.databases);
        must.add(db);
        let api = *self.rng.pick(stack.apis);
        must.add(api);
        if bi {
            must.add("data-modelling");
        }
        if self.wide
            && self.rng.chance(0.4)
            && let Some(slug) = self.rng.pick_in(stack.ecosystem)
        {
            must.add(slug);
        }
        let mut nice = Picked::default();
        if self.wide {
            use SkillCategory::{Api, Database, Platform, Practice};
            if self.rng.chance(0.6)
                && let Some(slug) = self.rng.pick_in(stack.ecosystem)
                && !must.seen.contains(slug)
            {
                nice.add(slug);
            }
            if self.rng.chance(0.5) {
                let category =
                    self.rng
                        .weighted(&[(Platform, 60), (Database, 15), (Practice, 20), (Api, 5)]);
                if let Some(slug) = self.rng.pick_in(pool(&self.general, category)) {
                    nice.add(slug);
                }
            }
        }
        let platforms = if self.wide { 1 } else { 2 };
        for slug in self.rng.sample(stack.platforms, platforms) {
            if !must.seen.contains(slug) {
                nice.add(slug);
            }
        }
        let databases = usize::from(!self.wide);
        for slug in self.rng.sample(stack.databases, databases) {
            if !must.seen.contains(slug) {
                nice.add(slug);
            }
        }
        let practice = if seniority >= Seniority::Senior {
            *self.rng.pick(&[
                "system-design",
                "microservices",
                "security",
                "observability",
            ])
        } else {
            *self.rng.pick(&["testing", "git", "debugging", "security"])
        };
        nice.add(practice);
        if stack.full_stack && self.rng.chance(0.5) {
            nice.add("html5");
        }
        let level = base_level(seniority).min(4);
        let created_links = anchor() - Duration::days(30);
        let mut links = Vec::new();
        for (slugs, required, min_level) in [
            (&must.order, true, level),
            (&nice.order, false, (level - 1).max(1)),
        ] {
            for slug in slugs {
                links.push(vacancy_skill::Model {
                    vacancy_id: id,
                    skill_id: self.id(slug),
                    required,
                    min_level: min_level as i16,
                    created_at: created_links,
                    updated_at: created_links,
                });
            }
        }

        // Title and text.
        let title = self.vacancy_title(seniority, stack, bi, team, &core);
        let role = title.split(" (").next().unwrap_or(&title).to_lowercase();
        let must_names: Vec<&str> = must.order.iter().map(|slug| self.name(slug)).collect();
        let nice_names: Vec<&str> = nice.order.iter().map(|slug| self.name(slug)).collect();
        let workplace_text = match workplace {
            Workplace::Remote => format!(
                "The role is fully remote from anywhere in {}, with a team week in {} every quarter.",
                country.name, spec_city
            ),
            Workplace::Hybrid => format!(
                "Hybrid: two to three days a week in our {} office.",
                spec_city
            ),
            Workplace::Onsite => format!("The role is based in our {} office.", spec_city),
        };
        let employment_text = match employment_type {
            EmploymentType::FullTime => "Permanent, full-time position.",
            EmploymentType::PartTime => {
                "Part-time, three days a week; the salary shown is for those days."
            }
            EmploymentType::Contractor => {
                "Six-month contract with a likely extension; the day rate is shown."
            }
            EmploymentType::Temporary => "Twelve-month fixed-term contract.",
            EmploymentType::Intern => "Paid six-month internship; the monthly stipend is shown.",
        };
        let description = format!(
            "About {}: {}\n\nThe {team} team {mission}. We are looking for a {role} to join it. You will work with {}; experience with {} is a plus.\n\n{workplace_text} {employment_text}",
            spec_name,
            spec_description,
            join_names(&must_names),
            join_names(&nice_names),
        );
        let (lang_name, db_name, api_name) = (self.name(core[0]), self.name(db), self.name(api));
        let fill = |text: &str| {
            text.replace("{lang}", lang_name)
                .replace("{db}", db_name)
                .replace("{api}", api_name)
                .replace("{team}", team)
        };
        let mut responsibilities: Vec<String> = self
            .rng
            .sample(responsibilities(), 4)
            .into_iter()
            .map(fill)
            .collect();
        if seniority >= Seniority::Senior {
            let k = self.rng.range(1, 2) as usize;
            responsibilities.extend(
                self.rng
                    .sample(senior_responsibilities(), k)
                    .into_iter()
                    .map(fill),
            );
        } else if seniority <= Seniority::Junior {
            responsibilities.extend(
                self.rng
                    .sample(junior_responsibilities(), 1)
                    .into_iter()
                    .map(fill),
            );
        }

        // Pay: US postings always state it (pay-transparency laws); elsewhere some don't.
        let salary = (spec_country == "US" || self.rng.chance(0.9)).then(|| {
            let annual = Self::annual_salary(country, seniority, spec_size, stack);
            let spread = if seniority >= Seniority::Senior {
                125
            } else {
                118
            };
            let (min, max) = (annual * 90 / 100, annual * spread / 100);
            let step = salary_step(country.currency);
            match employment_type {
                EmploymentType::Intern => (
                    round_to(min / 12, 50),
                    round_to(max / 12, 50),
                    SalaryPeriod::Month,
                ),
                EmploymentType::Contractor => (
                    round_to(min * 140 / 100 / 220, 25),
                    round_to(max * 140 / 100 / 220, 25),
                    SalaryPeriod::Day,
                ),
                EmploymentType::PartTime => (
                    round_to(min * 60 / 100, step),
                    round_to(max * 60 / 100, step),
                    SalaryPeriod::Year,
                ),
                EmploymentType::FullTime | EmploymentType::Temporary => {
                    (round_to(min, step), round_to(max, step), SalaryPeriod::Year)
                }
            }
        });

        // Life cycle.
        let status = self.rng.weighted(&[
            (VacancyStatus::Open, 80),
            (VacancyStatus::Closed, 10),
            (VacancyStatus::Draft, 10),
        ]);
        let (published_at, valid_through, created_at, updated_at) = match status {
            VacancyStatus::Draft => {
                let created = self.days_before(anchor(), 0, 14);
                (None, None, created, created)
            }
            VacancyStatus::Open => {
                let published = self.days_before(anchor(), 1, 60);
                let created = self.days_before(published, 1, 7);
                (
                    Some(published),
                    Some(published + Duration::days(90)),
                    created,
                    published,
                )
            }
            VacancyStatus::Closed => {
                let published = self.days_before(anchor(), 70, 160);
                let created = self.days_before(published, 1, 7);
                let closed = published + Duration::days(45);
                (Some(published), Some(closed), created, closed)
            }
        };
        let city = (workplace != Workplace::Remote).then(|| spec_city.to_owned());
        let at = crate::geo::locate(city.as_deref(), spec_country);
        let vacancy = vacancy::Model {
            id,
            employer_id,
            title,
            description,
            responsibilities: StringList(responsibilities),
            seniority,
            employment_type,
            workplace,
            city,
            country_code: spec_country.to_owned(),
            latitude: at.latitude,
            longitude: at.longitude,
            geo_x: at.vector.map(|v| v[0]),
            geo_y: at.vector.map(|v| v[1]),
            geo_z: at.vector.map(|v| v[2]),
            salary_min: salary.map(|(min, _, _)| min),
            salary_max: salary.map(|(_, max, _)| max),
            salary_currency: salary.map(|_| country.currency.to_owned()),
            salary_period: salary.map(|(_, _, period)| period),
            status,
            published_at,
            publication_seq: None,
            valid_through,
            created_at,
            updated_at,
            version: 1,
        };
        (vacancy, links)
    }

    fn vacancy_title(
        &mut self,
        seniority: Seniority,
        stack: &Stack,
        bi: bool,
        team: &str,
        core: &[&'static str],
    ) -> String {
        let role = self.role(stack, bi);
        let title = match seniority {
            Seniority::Intern => "Back-end Developer Intern".to_owned(),
            Seniority::Junior => format!("Junior {role}"),
            Seniority::Middle => role.to_owned(),
            Seniority::Senior => format!("Senior {role}"),
            Seniority::Lead if self.rng.chance(0.5) => format!("Team Lead, {team}"),
            Seniority::Lead => format!("Lead {role}"),
            Seniority::Principal => (*self
                .rng
                .pick(&["Principal Back-end Engineer", "Solution Architect"]))
            .to_owned(),
        };
        format!("{title} ({})", self.stack_label(core))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_dataset_has_the_promised_size() {
        let data = demo();
        assert!(data.skills.len() >= 60, "{} skills", data.skills.len());
        assert_eq!(data.employers.len(), 30);
        assert_eq!(data.developers.len(), DEMO_DEVELOPERS);
        assert_eq!(data.vacancies.len(), DEMO_VACANCIES);
    }

    #[test]
    fn the_demo_dataset_is_the_same_on_every_run() {
        let (a, b) = (demo(), demo());
        assert_eq!(a.developers, b.developers);
        assert_eq!(a.vacancies, b.vacancies);
        assert_eq!(a.vacancy_skills, b.vacancy_skills);
    }

    #[test]
    fn every_skill_category_is_represented() {
        let data = demo();
        for category in [
            SkillCategory::Language,
            SkillCategory::Framework,
            SkillCategory::Database,
            SkillCategory::Platform,
            SkillCategory::Api,
            SkillCategory::Frontend,
            SkillCategory::Practice,
            SkillCategory::Soft,
        ] {
            assert!(
                data.skills.iter().any(|skill| skill.category == category),
                "{category:?} missing"
            );
        }
    }

    /// Scale 4, whole: 1,200 developers and 600 vacancies on the wider taxonomy.
    fn wide() -> Dataset {
        let mut all = Dataset::default();
        for chunk in Chunks::new(Plan::scale(4)) {
            all.append(chunk);
        }
        all
    }

    #[test]
    fn a_scaled_directory_has_three_hundred_distinct_skills() {
        let data = wide();
        let slugs: HashSet<_> = data.skills.iter().map(|s| s.slug.as_str()).collect();
        assert_eq!(data.skills.len(), 300);
        assert_eq!(slugs.len(), 300);
    }

    #[test]
    fn every_stack_and_general_skill_of_the_wider_taxonomy_exists() {
        let known: HashSet<_> = SKILLS
            .iter()
            .chain(EXTRA_SKILLS.iter())
            .map(|s| s.0)
            .collect();
        for slug in STACKS
            .iter()
            .flat_map(|stack| stack.ecosystem)
            .chain(GENERAL.iter())
        {
            assert!(known.contains(slug), "{slug} is not in the taxonomy");
        }
    }

    #[test]
    fn every_skill_of_a_scaled_directory_is_used() {
        let data = wide();
        let used: HashSet<i64> = data
            .developer_skills
            .iter()
            .map(|link| link.skill_id)
            .chain(data.vacancy_skills.iter().map(|link| link.skill_id))
            .collect();
        let unused: Vec<&str> = data
            .skills
            .iter()
            .filter(|skill| !used.contains(&skill.id))
            .map(|skill| skill.slug.as_str())
            .collect();
        assert!(unused.is_empty(), "never used: {unused:?}");
    }

    #[test]
    fn scaled_links_point_at_existing_skills_once() {
        let data = wide();
        let mut links = HashSet::new();
        for link in &data.developer_skills {
            assert!(link.skill_id >= 1 && link.skill_id <= 300, "{link:?}");
            assert!(links.insert((link.developer_id, link.skill_id)), "{link:?}");
        }
        let mut links = HashSet::new();
        for link in &data.vacancy_skills {
            assert!(link.skill_id >= 1 && link.skill_id <= 300, "{link:?}");
            assert!(links.insert((link.vacancy_id, link.skill_id)), "{link:?}");
        }
    }

    #[test]
    fn a_scaled_directory_has_about_a_dozen_skills_a_developer_and_seven_a_vacancy() {
        let data = wide();
        let per_developer = data.developer_skills.len() as f64 / data.developers.len() as f64;
        let per_vacancy = data.vacancy_skills.len() as f64 / data.vacancies.len() as f64;
        assert!((10.0..=14.0).contains(&per_developer), "{per_developer}");
        assert!((5.0..=8.0).contains(&per_vacancy), "{per_vacancy}");
    }

    #[test]
    fn scale_one_keeps_to_the_demo_catalog() {
        assert_eq!(demo().skills.len(), SKILLS.len());
    }

    #[test]
    fn handles_slugs_and_emails_are_unique() {
        let data = demo();
        let handles: HashSet<_> = data.developers.iter().map(|d| &d.handle).collect();
        let emails: HashSet<_> = data.developers.iter().map(|d| &d.email).collect();
        let skills: HashSet<_> = data.skills.iter().map(|s| &s.slug).collect();
        assert_eq!(handles.len(), data.developers.len());
        assert_eq!(emails.len(), data.developers.len());
        assert_eq!(skills.len(), data.skills.len());
        for handle in handles {
            assert!(
                handle.len() >= 2
                    && handle.len() <= 40
                    && handle
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{handle}"
            );
        }
    }

    #[test]
    fn every_link_points_at_an_existing_row_once() {
        let data = demo();
        let mut developer_links = HashSet::new();
        for link in &data.developer_skills {
            assert!(link.skill_id >= 1 && link.skill_id as usize <= data.skills.len());
            assert!((1..=5).contains(&link.level));
            assert!(
                developer_links.insert((link.developer_id, link.skill_id)),
                "duplicate {link:?}"
            );
        }
        let mut vacancy_links = HashSet::new();
        for link in &data.vacancy_skills {
            assert!(link.skill_id >= 1 && link.skill_id as usize <= data.skills.len());
            assert!(
                vacancy_links.insert((link.vacancy_id, link.skill_id)),
                "duplicate {link:?}"
            );
        }
    }

    #[test]
    fn salary_ranges_use_the_four_currencies_and_are_ordered() {
        let data = demo();
        let currencies: HashSet<_> = data
            .vacancies
            .iter()
            .filter_map(|v| v.salary_currency.as_deref())
            .collect();
        assert_eq!(currencies, HashSet::from(["USD", "GBP", "CAD", "EUR"]));
        for vacancy in &data.vacancies {
            if let (Some(min), Some(max)) = (vacancy.salary_min, vacancy.salary_max) {
                assert!(0 < min && min <= max, "{}: {min}..{max}", vacancy.title);
            }
        }
    }

    #[test]
    fn yearly_us_salaries_match_the_market_figures() {
        let data = demo();
        let yearly_us: Vec<&vacancy::Model> = data
            .vacancies
            .iter()
            .filter(|v| {
                v.salary_currency.as_deref() == Some("USD")
                    && v.salary_period == Some(SalaryPeriod::Year)
                    && v.employment_type == EmploymentType::FullTime
            })
            .collect();
        assert!(!yearly_us.is_empty());
        let midpoints: Vec<i64> = yearly_us
            .iter()
            .filter_map(|v| Some((v.salary_min? + v.salary_max?) / 2))
            .collect();
        let mean = midpoints.iter().sum::<i64>() / midpoints.len() as i64;
        // Sources quote averages from $70k to $130k; entry level near $50k; experienced above $140k.
        assert!((85_000..=150_000).contains(&mean), "mean {mean}");
        assert!(midpoints.iter().any(|&m| m < 80_000), "no entry-level pay");
        assert!(midpoints.iter().any(|&m| m > 140_000), "no experienced pay");
    }

    #[test]
    fn drafts_are_never_published_and_everything_else_is() {
        for vacancy in demo().vacancies {
            assert_eq!(
                vacancy.status == VacancyStatus::Draft,
                vacancy.published_at.is_none(),
                "{}",
                vacancy.id
            );
        }
    }

    #[test]
    fn slugify_folds_accents_and_punctuation() {
        assert_eq!(slugify("Zoé Lefèvre"), "zoe-lefevre");
        assert_eq!(slugify("Connor O'Brien"), "connor-o-brien");
        assert_eq!(slugify("Lukas Müller"), "lukas-muller");
        assert_eq!(slugify("Daan van den Berg"), "daan-van-den-berg");
    }
}
