//! A vacancy as search engines read job postings: schema.org `JobPosting` JSON-LD with the
//! properties Google's job-posting guidelines require or recommend, and a small public HTML page
//! that carries it (`/jobs/{slug}`, served by `http::jobs`).
//!
//! Plain functions of the rows: the GraphQL field `Vacancy.jobPosting` and the page build the same
//! document from the same data.

use dbkit::columns::Unread;
use entity::{EmploymentType, SalaryPeriod, Workplace, employer, skill, vacancy};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use serde_json::{Map, Value, json};
use toolkit::id::encode_id;

use super::store;
use crate::ids::NodeKind;

/// The path of the page of vacancy `id` titled `title`: `/jobs/{title-slug}-{id}`.
pub fn page_path(id: i64, title: &str) -> String {
    let slug = slug(title);
    if slug.is_empty() {
        format!("/jobs/{id}")
    } else {
        format!("/jobs/{slug}-{id}")
    }
}

/// The vacancy id a page's key names: `42`, or a slug of lower-case letters, digits and `-`
/// ending in `-42` (the slug may be an old one: the page then redirects to the current).
pub fn id_of_page(key: &str) -> Option<i64> {
    let (slug, digits) = match key.rsplit_once('-') {
        Some((slug, digits)) => (Some(slug), digits),
        None => (None, key),
    };
    let slug_ok = slug.is_none_or(|slug| {
        !slug.is_empty()
            && slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    let id = digits.parse::<i64>().ok()?;
    (slug_ok && id > 0 && id.to_string() == digits).then_some(id)
}

/// `title` in lower-case ASCII letters and digits, words joined by `-`, at most 80 characters.
fn slug(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if slug.len() + word.len() + 1 > 80 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

/// schema.org's `employmentType` value.
fn employment_type(kind: EmploymentType) -> &'static str {
    match kind {
        EmploymentType::FullTime => "FULL_TIME",
        EmploymentType::PartTime => "PART_TIME",
        EmploymentType::Contractor => "CONTRACTOR",
        EmploymentType::Temporary => "TEMPORARY",
        EmploymentType::Intern => "INTERN",
    }
}

/// schema.org's `unitText` for a salary period.
fn unit(period: SalaryPeriod) -> &'static str {
    match period {
        SalaryPeriod::Hour => "HOUR",
        SalaryPeriod::Day => "DAY",
        SalaryPeriod::Week => "WEEK",
        SalaryPeriod::Month => "MONTH",
        SalaryPeriod::Year => "YEAR",
    }
}

/// `amount` with its thousands grouped by commas: `87,500`.
fn grouped(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    out
}

/// Escapes `text` for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The description as HTML, as Google asks: the text's paragraphs, the responsibilities as a
/// list, and the skills asked for.
fn description_html(vacancy: &vacancy::Model, skills: &[&skill::Model]) -> String {
    let mut html = String::new();
    for paragraph in vacancy
        .description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        html.push_str("<p>");
        html.push_str(&escape(paragraph).replace('\n', "<br>"));
        html.push_str("</p>");
    }
    if !vacancy.responsibilities.0.is_empty() {
        html.push_str("<p>Responsibilities:</p><ul>");
        for item in &vacancy.responsibilities.0 {
            html.push_str("<li>");
            html.push_str(&escape(item));
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    if !skills.is_empty() {
        let names: Vec<String> = skills.iter().map(|skill| escape(&skill.name)).collect();
        html.push_str("<p>Skills: ");
        html.push_str(&names.join(", "));
        html.push_str(".</p>");
    }
    if html.is_empty() {
        html.push_str("<p>");
        html.push_str(&escape(&vacancy.title));
        html.push_str("</p>");
    }
    html
}

/// The vacancy as a schema.org `JobPosting`, hired for by `employer`, asking for `skills` (in
/// the vacancy's order); `url` is its page, when the server knows its public address.
pub fn json_ld(
    vacancy: &vacancy::Model,
    employer: &employer::Model,
    skills: &[&skill::Model],
    url: Option<&str>,
) -> Value {
    let mut posting = Map::new();
    posting.insert("@context".into(), json!("https://schema.org/"));
    posting.insert("@type".into(), json!("JobPosting"));
    posting.insert("title".into(), json!(vacancy.title));
    posting.insert(
        "description".into(),
        json!(description_html(vacancy, skills)),
    );
    posting.insert(
        "identifier".into(),
        json!({
            "@type": "PropertyValue",
            "name": employer.name,
            "value": encode_id(NodeKind::Vacancy, vacancy.id).to_string(),
        }),
    );
    if let Some(published) = vacancy.published_at {
        posting.insert("datePosted".into(), json!(published.to_rfc3339()));
    }
    if let Some(until) = vacancy.valid_through {
        posting.insert("validThrough".into(), json!(until.to_rfc3339()));
    }
    posting.insert(
        "employmentType".into(),
        json!(employment_type(vacancy.employment_type)),
    );
    let mut organization = Map::new();
    organization.insert("@type".into(), json!("Organization"));
    organization.insert("name".into(), json!(employer.name));
    if let Some(website) = &employer.website {
        organization.insert("sameAs".into(), json!(website));
    }
    posting.insert("hiringOrganization".into(), Value::Object(organization));
    if vacancy.workplace == Workplace::Remote {
        posting.insert("jobLocationType".into(), json!("TELECOMMUTE"));
        posting.insert(
            "applicantLocationRequirements".into(),
            json!({ "@type": "Country", "name": vacancy.country_code }),
        );
    } else {
        let mut address = Map::new();
        address.insert("@type".into(), json!("PostalAddress"));
        // A vacancy on site without a city of its own is at its employer's.
        let city = vacancy.city.as_deref().unwrap_or(&employer.city);
        address.insert("addressLocality".into(), json!(city));
        address.insert("addressCountry".into(), json!(vacancy.country_code));
        posting.insert(
            "jobLocation".into(),
            json!({ "@type": "Place", "address": Value::Object(address) }),
        );
    }
    if let (Some(min), Some(max), Some(currency), Some(period)) = (
        vacancy.salary_min,
        vacancy.salary_max,
        &vacancy.salary_currency,
        vacancy.salary_period,
    ) {
        posting.insert(
            "baseSalary".into(),
            json!({
                "@type": "MonetaryAmount",
                "currency": currency,
                "value": {
                    "@type": "QuantitativeValue",
                    "minValue": min,
                    "maxValue": max,
                    "unitText": unit(period),
                },
            }),
        );
    }
    if !skills.is_empty() {
        let names: Vec<&str> = skills.iter().map(|skill| skill.name.as_str()).collect();
        posting.insert("skills".into(), json!(names.join(", ")));
    }
    if let Some(url) = url {
        posting.insert("url".into(), json!(url));
    }
    Value::Object(posting)
}

/// What a job page shows: the vacancy, its employer, the skills it asks for (in its order).
pub struct Page {
    /// The vacancy.
    pub vacancy: vacancy::Model,
    /// Its employer.
    pub employer: employer::Model,
    /// The skills it asks for, must-haves first.
    pub skills: Vec<skill::Model>,
}

/// The page of vacancy `id`, in any state; None when it does not exist.
pub async fn load(db: &impl ConnectionTrait, id: i64) -> Result<Option<Page>, DbErr> {
    let Some(vacancy) = store::find(db, id).await? else {
        return Ok(None);
    };
    let Some(employer) = employer::Entity::find_by_id(vacancy.employer_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let skills = store::skills_of(db, [id], &Unread::none())
        .await?
        .of(id)
        .into_iter()
        .map(|(_, skill)| (*skill).clone())
        .collect();
    Ok(Some(Page {
        vacancy,
        employer,
        skills,
    }))
}

/// The page's HTML: what a person reads, and the JSON-LD a crawler reads, for `url`.
pub fn html(page: &Page, url: &str) -> String {
    let vacancy = &page.vacancy;
    let skills: Vec<&skill::Model> = page.skills.iter().collect();
    let document = json_ld(vacancy, &page.employer, &skills, Some(url));
    // Inside <script> only "</script" or "<!--" could end it early: no `<` at all is left.
    let script = document.to_string().replace('<', "\\u003c");
    let place = match vacancy.workplace {
        Workplace::Remote => format!("Remote ({})", vacancy.country_code),
        Workplace::Onsite | Workplace::Hybrid => {
            let city = vacancy.city.as_deref().unwrap_or(&page.employer.city);
            let kind = if vacancy.workplace == Workplace::Hybrid {
                " (hybrid)"
            } else {
                ""
            };
            format!("{city}, {}{kind}", vacancy.country_code)
        }
    };
    let mut facts = vec![escape(&page.employer.name), escape(&place)];
    facts.push(
        employment_type(vacancy.employment_type)
            .replace('_', " ")
            .to_lowercase(),
    );
    if let (Some(min), Some(max), Some(currency), Some(period)) = (
        vacancy.salary_min,
        vacancy.salary_max,
        &vacancy.salary_currency,
        vacancy.salary_period,
    ) {
        facts.push(escape(&format!(
            "{}–{} {currency} per {}",
            grouped(min),
            grouped(max),
            unit(period).to_lowercase()
        )));
    }
    let mut dates = String::new();
    if let Some(published) = vacancy.published_at {
        dates.push_str(&format!("Posted {}", published.format("%Y-%m-%d")));
    }
    if let Some(until) = vacancy.valid_through {
        dates.push_str(&format!("; apply by {}", until.format("%Y-%m-%d")));
    }
    // A search result's snippet: the description's first 160 characters, on one line.
    let words: Vec<&str> = vacancy.description.split_whitespace().collect();
    let summary: String = words.join(" ").chars().take(160).collect();
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} at {employer}</title>\n\
         <meta name=\"description\" content=\"{summary}\">\n\
         <link rel=\"canonical\" href=\"{url}\">\n\
         <script type=\"application/ld+json\">{script}</script>\n\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}\
         .facts{{color:#555}}</style>\n</head>\n<body>\n<main>\n<h1>{title}</h1>\n\
         <p class=\"facts\">{facts}</p>\n{description}\n<p class=\"facts\">{dates}</p>\n</main>\n</body>\n</html>\n",
        title = escape(&vacancy.title),
        employer = escape(&page.employer.name),
        summary = escape(&summary),
        url = escape(url),
        facts = facts.join(" · "),
        description = description_html(vacancy, &skills),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_path_is_the_title_in_lower_case_words_then_the_id() {
        assert_eq!(
            page_path(42, "Senior Back-end Engineer (Java, Spring)"),
            "/jobs/senior-back-end-engineer-java-spring-42"
        );
        assert_eq!(
            page_path(7, "Développeur·se Rust"),
            "/jobs/d-veloppeur-se-rust-7"
        );
        assert_eq!(page_path(9, "¿?"), "/jobs/9");
    }

    #[test]
    fn a_page_key_names_its_id_by_the_id_alone_or_a_slug_ending_in_it() {
        assert_eq!(id_of_page("42"), Some(42));
        assert_eq!(id_of_page("senior-rust-engineer-42"), Some(42));
        assert_eq!(id_of_page("an-old-title-42"), Some(42));
        for bad in [
            "",
            "-42",
            "42-",
            "rust",
            "rust-042",
            "rust-0",
            "Rust-42",
            "rust_x-42",
            "rust-+42",
        ] {
            assert_eq!(id_of_page(bad), None, "{bad}");
        }
    }

    #[test]
    fn amounts_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(950), "950");
        assert_eq!(grouped(87_500), "87,500");
        assert_eq!(grouped(1_250_000), "1,250,000");
    }

    #[test]
    fn html_special_characters_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }
}
