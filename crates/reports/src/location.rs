//! Where an operation is declared in a spec file, as a line number, so that
//! SARIF results point at the spec.
//!
//! The inventory keeps a JSON pointer per operation, not positions, so this
//! looks for the path key (`/users/{id}:` in YAML, `"/users/{id}":` in
//! JSON) and then for the method key below it. Known shortcoming: a path
//! written in flow style on one line, or quoted differently, is not found;
//! the finding then has no line and SARIF points at the file only.

/// The 1-based line of `method` under `path` in the spec text, or of the
/// path key when the method key is not found below it.
pub fn operation_line(spec: &str, path: &str, method: &str) -> Option<u32> {
    let lines: Vec<&str> = spec.lines().collect();
    let path_keys =
        [format!("{path}:"), format!("\"{path}\":"), format!("'{path}':"), format!("\"{path}\" :")];
    let method = method.to_ascii_lowercase();
    let method_keys = [format!("{method}:"), format!("\"{method}\":"), format!("\"{method}\" :")];

    let start = lines.iter().position(|line| {
        let trimmed = line.trim_start();
        path_keys.iter().any(|key| trimmed.starts_with(key.as_str()))
    })?;
    let indent = indentation(lines[start]);
    let method_line = lines
        .iter()
        .enumerate()
        .skip(start + 1)
        // The operation ends where a line as shallow as the path key starts.
        .take_while(|(_, line)| line.trim().is_empty() || indentation(line) > indent)
        .find(|(_, line)| {
            let trimmed = line.trim_start();
            method_keys.iter().any(|key| trimmed.starts_with(key.as_str()))
        })
        .map(|(index, _)| index);
    u32::try_from(method_line.unwrap_or(start) + 1).ok()
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_method_under_its_path_in_yaml() {
        let spec = "openapi: 3.0.3\npaths:\n  /users:\n    get:\n      summary: list\n  /users/{id}:\n    parameters: []\n    post:\n      summary: x\n    get:\n      summary: one\n";
        assert_eq!(operation_line(spec, "/users/{id}", "GET"), Some(10));
        assert_eq!(operation_line(spec, "/users", "GET"), Some(4));
        // A method the path lacks points at the path.
        assert_eq!(operation_line(spec, "/users/{id}", "DELETE"), Some(6));
        assert_eq!(operation_line(spec, "/orders/{id}", "GET"), None);
    }

    #[test]
    fn finds_the_method_in_pretty_json() {
        let spec = "{\n  \"paths\": {\n    \"/a/{id}\": {\n      \"get\": {}\n    },\n    \"/b\": {\n      \"get\": {}\n    }\n  }\n}\n";
        assert_eq!(operation_line(spec, "/a/{id}", "GET"), Some(4));
        assert_eq!(operation_line(spec, "/b", "GET"), Some(7));
    }
}
