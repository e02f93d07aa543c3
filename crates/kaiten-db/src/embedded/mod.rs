//! A private PostgreSQL cluster, provisioned and supervised from the locally installed
//! binaries: the server's embedded default and the test kit's throwaway database.
//!
//! Layout of the data directory:
//! - `pg/`: the cluster (owned by `postgres` when we run as root, since initdb refuses root);
//! - `pg-password`: the password of the `kaiten` role, readable by us only;
//! - `pg.log`: the server's log.
//!
//! The postmaster is a direct child that dies with us (`PR_SET_PDEATHSIG`), so a killed
//! server never leaves a cluster behind; a `postmaster.pid` whose process is gone is removed.

mod binaries;
mod cluster;
mod sys;

pub use cluster::{ClusterOptions, DATABASE, EmbeddedCluster};
