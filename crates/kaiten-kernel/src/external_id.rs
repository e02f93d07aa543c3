//! Deterministic ids for organizations and users, derived from their external ids exactly as
//! the original's `pkg/externalid` does, so that the same identity always converges on the
//! same row.

use uuid::Uuid;

const ROOT: Uuid = Uuid::from_u128(0xeb025416_6f74_4684_97e9_83e99784aaa5);

fn namespace(kind: &str) -> Uuid {
    Uuid::new_v5(&ROOT, kind.as_bytes())
}

pub fn organization_id(external_id: &str) -> Uuid {
    Uuid::new_v5(&namespace("organization"), external_id.as_bytes())
}

pub fn user_id(external_id: &str) -> Uuid {
    Uuid::new_v5(&namespace("user"), external_id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_v5_and_distinct_per_kind() {
        let org = organization_id("org_2abc");
        assert_eq!(org, organization_id("org_2abc"));
        assert_eq!(org.get_version_num(), 5);
        assert_ne!(org, user_id("org_2abc"));
        assert_ne!(org, organization_id("org_2abd"));
    }

    #[test]
    fn namespaces_derive_from_the_published_root() {
        // uuid5(ROOT, "organization"), computed independently with Python's uuid module.
        assert_eq!(namespace("organization").to_string(), python_uuid5("organization"));
    }

    fn python_uuid5(name: &str) -> String {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                &format!("import uuid;print(uuid.uuid5(uuid.UUID('eb025416-6f74-4684-97e9-83e99784aaa5'),'{name}'))"),
            ])
            .output()
            .expect("python3 is on the machine");
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }
}
