//! Hand-built data for tests that pin exact figures: skills, an employer, developers and
//! vacancies written straight into the test's database (an empty one), each with only what the
//! test says and plain defaults for the rest.

use chrono::Utc;
use entity::{
    Seniority, Workplace, developer, developer_skill, employer, skill, vacancy, vacancy_skill,
};
use sea_orm::{ActiveModelTrait, DatabaseConnection, NotSet, Set};

/// A developer to insert.
#[derive(Clone, Debug)]
pub struct Dev {
    pub handle: &'static str,
    pub seniority: Seniority,
    pub country: &'static str,
    /// A city of the gazetteer, placing them; none: a city it does not know.
    pub city: Option<&'static str>,
    pub remote_preference: Workplace,
    pub open_to_work: bool,
    pub expectation: Option<(i64, &'static str)>,
    /// (skill slug, level)
    pub skills: Vec<(&'static str, i16)>,
}

impl Dev {
    /// A senior developer in Germany, hybrid, open to work, no expectation, no skills.
    pub fn new(handle: &'static str) -> Self {
        Self {
            handle,
            seniority: Seniority::Senior,
            country: "DE",
            city: None,
            remote_preference: Workplace::Hybrid,
            open_to_work: true,
            expectation: None,
            skills: Vec::new(),
        }
    }
}

/// A vacancy to insert (OPEN unless `status` says otherwise).
#[derive(Clone, Debug)]
pub struct Job {
    pub title: &'static str,
    pub seniority: Seniority,
    pub country: &'static str,
    /// A city of the gazetteer, placing it; none: no city.
    pub city: Option<&'static str>,
    pub workplace: Workplace,
    pub status: entity::VacancyStatus,
    /// (min, max, currency, period)
    pub salary: Option<(i64, i64, &'static str, entity::SalaryPeriod)>,
    /// (skill slug, required, minimum level)
    pub skills: Vec<(&'static str, bool, i16)>,
}

impl Job {
    /// An open, senior, hybrid vacancy in Germany, no salary, no skills.
    pub fn new(title: &'static str) -> Self {
        Self {
            title,
            seniority: Seniority::Senior,
            country: "DE",
            city: None,
            workplace: Workplace::Hybrid,
            status: entity::VacancyStatus::Open,
            salary: None,
            skills: Vec::new(),
        }
    }
}

/// The skills every world has, by slug.
pub const SKILLS: [&str; 6] = ["rust", "postgresql", "kafka", "docker", "go", "python"];

/// Rows inserted into one test database.
pub struct World {
    db: DatabaseConnection,
    pub employer: i64,
    skills: Vec<(&'static str, i64)>,
}

impl World {
    /// Inserts the skills and one employer.
    pub async fn new(db: DatabaseConnection) -> Self {
        let now = Utc::now();
        let mut skills = Vec::new();
        for slug in SKILLS {
            let row = skill::ActiveModel {
                id: NotSet,
                slug: Set(slug.to_owned()),
                name: Set(name(slug)),
                category: Set(entity::SkillCategory::Language),
                description: Set(String::new()),
                aliases: Set(entity::StringList(Vec::new())),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            }
            .insert(&db)
            .await
            .expect("insert a skill");
            skills.push((slug, row.id));
        }
        let employer = employer::ActiveModel {
            id: NotSet,
            slug: Set("acme".to_owned()),
            name: Set("Acme".to_owned()),
            industry: Set(entity::Industry::Finance),
            size: Set(entity::CompanySize::Medium),
            website: Set(None),
            description: Set(String::new()),
            city: Set("Berlin".to_owned()),
            country_code: Set("DE".to_owned()),
            latitude: NotSet,
            longitude: NotSet,
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&db)
        .await
        .expect("insert an employer")
        .id;
        Self {
            db,
            employer,
            skills,
        }
    }

    /// The id of the skill with `slug`.
    pub fn skill(&self, slug: &str) -> i64 {
        self.skills
            .iter()
            .find(|(known, _)| *known == slug)
            .map(|(_, id)| *id)
            .unwrap_or_else(|| panic!("no skill {slug}"))
    }

    /// Inserts a developer; returns its id.
    pub async fn developer(&self, dev: &Dev) -> i64 {
        let now = Utc::now();
        let at = talent_api::geo::locate(dev.city, dev.country);
        let row = developer::ActiveModel {
            id: NotSet,
            handle: Set(dev.handle.to_owned()),
            name: Set(dev.handle.to_owned()),
            email: Set(format!("{}@example.com", dev.handle)),
            headline: Set(String::new()),
            bio: Set(String::new()),
            seniority: Set(dev.seniority),
            years_of_experience: Set(5),
            city: Set(dev.city.unwrap_or("Somewhere").to_owned()),
            country_code: Set(dev.country.to_owned()),
            latitude: Set(at.latitude),
            longitude: Set(at.longitude),
            geo_x: Set(at.vector.map(|v| v[0])),
            geo_y: Set(at.vector.map(|v| v[1])),
            geo_z: Set(at.vector.map(|v| v[2])),
            remote_preference: Set(dev.remote_preference),
            open_to_work: Set(dev.open_to_work),
            salary_expectation_amount: Set(dev.expectation.map(|(amount, _)| amount)),
            salary_expectation_currency: Set(dev.expectation.map(|(_, code)| code.to_owned())),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            // The columns these tests do not need keep their defaults.
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .expect("insert a developer");
        for (slug, level) in &dev.skills {
            developer_skill::ActiveModel {
                developer_id: Set(row.id),
                skill_id: Set(self.skill(slug)),
                level: Set(*level),
                years: Set(3),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&self.db)
            .await
            .expect("insert a developer skill");
        }
        row.id
    }

    /// Inserts a vacancy of the world's employer; returns its id.
    pub async fn vacancy(&self, job: &Job) -> i64 {
        let now = Utc::now();
        let at = talent_api::geo::locate(job.city, job.country);
        let row = vacancy::ActiveModel {
            id: NotSet,
            employer_id: Set(self.employer),
            title: Set(job.title.to_owned()),
            description: Set(String::new()),
            responsibilities: Set(entity::StringList(Vec::new())),
            seniority: Set(job.seniority),
            employment_type: Set(entity::EmploymentType::FullTime),
            workplace: Set(job.workplace),
            city: Set(job.city.map(str::to_owned)),
            country_code: Set(job.country.to_owned()),
            latitude: Set(at.latitude),
            longitude: Set(at.longitude),
            geo_x: Set(at.vector.map(|v| v[0])),
            geo_y: Set(at.vector.map(|v| v[1])),
            geo_z: Set(at.vector.map(|v| v[2])),
            salary_min: Set(job.salary.map(|s| s.0)),
            salary_max: Set(job.salary.map(|s| s.1)),
            salary_currency: Set(job.salary.map(|s| s.2.to_owned())),
            salary_period: Set(job.salary.map(|s| s.3)),
            status: Set(job.status),
            published_at: Set((job.status != entity::VacancyStatus::Draft).then_some(now)),
            publication_seq: NotSet,
            valid_through: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&self.db)
        .await
        .expect("insert a vacancy");
        for (slug, required, min_level) in &job.skills {
            vacancy_skill::ActiveModel {
                vacancy_id: Set(row.id),
                skill_id: Set(self.skill(slug)),
                required: Set(*required),
                min_level: Set(*min_level),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&self.db)
            .await
            .expect("insert a vacancy skill");
        }
        row.id
    }
}

/// A skill's display name from its slug.
pub fn name(slug: &str) -> String {
    match slug {
        "postgresql" => "PostgreSQL".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// A small deterministic generator (xorshift), so tests on random data are the same every run.
pub struct Random(pub u64);

impl Random {
    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    /// One of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}
