//! The ACL file (`aclfile`): `user <name> <rules...>` lines, loaded at start and by ACL LOAD,
//! written by ACL SAVE, with Redis 7.0's error texts (every error of the file, then the verdict).

use super::{has_space, Acl, AclError, User};

impl Acl {
    /// The users of an ACL file's text; `filename` names it in errors. The default user is the
    /// fresh one unless the file defines it. On any error nothing is loaded.
    pub fn from_file_text(text: &str, filename: &str) -> Result<Acl, String> {
        let mut acl = Acl {
            users: Default::default(),
            log: Default::default(),
        };
        let mut errors = String::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.trim_matches([' ', '\t', '\r', '\n']);
            if line.is_empty() {
                continue;
            }
            if let Err(e) = acl.load_file_line(line, filename, i + 1) {
                errors.push_str(&e);
            }
        }
        if !errors.is_empty() {
            errors.push_str("WARNING: ACL errors detected, no change to the previously active ACL rules was performed");
            return Err(errors);
        }
        acl.users
            .entry("default".to_string())
            .or_insert_with(User::default_user);
        Ok(acl)
    }

    /// One line (Redis splits on single spaces, without quoting).
    fn load_file_line(&mut self, line: &str, filename: &str, n: usize) -> Result<(), String> {
        let argv: Vec<&str> = line.split(' ').collect();
        if argv[0] != "user" || argv.len() < 2 {
            return Err(format!(
                "{filename}:{n} should start with user keyword followed by the username. "
            ));
        }
        let name = argv[1];
        if has_space(name.as_bytes()) {
            return Err(format!(
                "'{filename}:{n}: username '{name}' contains invalid characters. "
            ));
        }
        if self.users.contains_key(name) {
            return Err(format!("WARNING: Duplicate user '{name}' found on line {n}. "));
        }
        // Redis creates the user before applying its rules: a later line with the same name is
        // a duplicate even when this one fails.
        let user = self.users.entry(name.to_string()).or_insert_with(|| User::new(name));
        let mut errors = String::new();
        let mut syntax_reported = false;
        for op in &argv[2..] {
            let op = op.trim_matches(['\t', '\r', '\n']);
            match user.apply(op) {
                Ok(()) => {}
                Err(AclError::UnknownCommand) => errors.push_str(&format!(
                    "{filename}:{n}: Error in applying operation '{op}': {}. ",
                    AclError::UnknownCommand
                )),
                Err(e) if !syntax_reported => {
                    errors.push_str(&format!("{filename}:{n}: {e}. "));
                    syntax_reported = true;
                }
                Err(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// What ACL SAVE writes: one `user` line per user, in name order.
    pub fn file_text(&self) -> String {
        self.lines().into_iter().map(|l| l + "\n").collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_users_and_keeps_a_default() {
        let acl = Acl::from_file_text("user bob on >pw +@all\n\n", "users.acl").unwrap();
        assert!(acl.authenticate("bob", b"pw"));
        assert!(acl.default_needs_no_auth(), "the default user when the file has none");
        let again = Acl::from_file_text(&acl.file_text(), "users.acl").unwrap();
        assert_eq!(again.lines(), acl.lines());
    }

    #[test]
    fn every_error_is_reported_and_nothing_is_loaded() {
        let err = Acl::from_file_text("usr bob\nuser a +nosuch\nuser a on\nuser a on\n", "f.acl").unwrap_err();
        assert_eq!(
            err,
            "f.acl:1 should start with user keyword followed by the username. \
             f.acl:2: Error in applying operation '+nosuch': Unknown command or category name in ACL. \
             WARNING: Duplicate user 'a' found on line 3. \
             WARNING: Duplicate user 'a' found on line 4. \
             WARNING: ACL errors detected, no change to the previously active ACL rules was performed"
        );
    }
}
