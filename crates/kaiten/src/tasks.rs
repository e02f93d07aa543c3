//! Stopping background tasks in order: aborted, then awaited, so that whatever they hold
//! (connections, locks) is gone before what they depend on is stopped.

use tokio::task::JoinHandle;

pub async fn stop(tasks: impl IntoIterator<Item = JoinHandle<()>>) {
    let tasks: Vec<_> = tasks.into_iter().collect();
    tasks.iter().for_each(JoinHandle::abort);
    for task in tasks {
        // A cancelled task's error is the expected outcome; a panic was logged where it happened.
        let _ = task.await;
    }
}
