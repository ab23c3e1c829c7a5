//! Metrics and their data points.

use super::*;

pub(super) fn render_datapoint(d: &Datapoint) -> Value {
    json!({"id": d.id, "timestamp": d.timestamp, "value": d.value})
}

pub(super) fn render_metric(m: &Metric) -> Value {
    json!({
        "id": m.id,
        "name": m.name,
        "active": m.active,
        "order": m.order,
        "suffix": m.suffix,
        "data": m.data.iter().map(render_datapoint).collect::<Vec<_>>(),
    })
}

pub(super) fn metric_idx(pg: &Page, id: &str) -> Result<usize, ApiError> {
    pg.metrics
        .iter()
        .position(|m| m.id == id)
        .ok_or_else(|| not_found("metric", id))
}

pub(super) fn list_metrics(st: &State, page_id: &str, query: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(Value::Array(paginate(
        pg.metrics.iter().map(render_metric).collect(),
        query,
    )))
}

pub(super) fn get_metric(st: &State, page_id: &str, id: &str) -> R {
    let pg = page(st, page_id)?;
    Ok(render_metric(&pg.metrics[metric_idx(pg, id)?]))
}

pub(super) fn create_metric(st: &mut State, page_id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let m = parse_obj(body)?;
    missing(&["name", "suffix"], &m)?;
    let name = req_name(&m, "name")?;
    let suffix = req_str(&m, "suffix")?;
    let id = st.new_id();
    let pg = &mut st.pages[i];
    let order = pg
        .metrics
        .iter()
        .map(|m| m.order)
        .max()
        .map_or(0, |o| o + 1);
    pg.metrics.push(Metric {
        id,
        name,
        suffix,
        order,
        active: true,
        data: Vec::new(),
    });
    Ok(render_metric(pg.metrics.last().expect("pushed")))
}

pub(super) fn update_metric(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let m = parse_obj(body)?;
    let name = opt_name(&m, "name")?;
    let suffix = opt_str(&m, "suffix")?;
    let metric = &mut st.pages[i].metrics[mi];
    if let Some(n) = name {
        metric.name = n;
    }
    if let Some(s) = suffix {
        metric.suffix = s;
    }
    Ok(render_metric(metric))
}

pub(super) fn delete_metric(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let m = st.pages[i].metrics.remove(mi);
    Ok(json!({"id": m.id, "name": m.name}))
}

pub(super) fn parse_point(v: &Value, at: &str) -> Result<(i64, f64), ApiError> {
    let obj = v
        .as_object()
        .ok_or_else(|| bad(format!("{at} must be an object {{timestamp, value}}")))?;
    let ts = obj
        .get("timestamp")
        .and_then(|t| t.as_i64().or_else(|| t.as_f64().map(|f| f as i64)))
        .ok_or_else(|| {
            bad(format!(
                "missing or invalid field '{at}timestamp' (epoch milliseconds, integer)"
            ))
        })?;
    let value = obj
        .get("value")
        .and_then(Value::as_f64)
        .ok_or_else(|| bad(format!("missing or invalid field '{at}value' (number)")))?;
    Ok((ts, value))
}

pub(super) fn insert_points(
    st: &mut State,
    i: usize,
    mi: usize,
    points: Vec<(i64, f64)>,
) -> Vec<Datapoint> {
    let mut added = Vec::new();
    for (timestamp, value) in points {
        added.push(Datapoint {
            id: st.new_id(),
            timestamp,
            value,
        });
    }
    let metric = &mut st.pages[i].metrics[mi];
    for d in &added {
        metric.data.retain(|x| x.timestamp != d.timestamp);
        metric.data.push(d.clone());
    }
    metric.data.sort_by_key(|d| d.timestamp);
    added
}

pub(super) fn add_datapoint(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let v = parse_json(body)?;
    let point = parse_point(&v, "")?;
    let added = insert_points(st, i, mi, vec![point]);
    Ok(render_datapoint(&added[0]))
}

pub(super) fn add_datapoints(st: &mut State, page_id: &str, id: &str, body: &[u8]) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let v = parse_json(body)?;
    let arr = match &v {
        Value::Array(a) => a,
        Value::Object(o) => match o.get("data") {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(bad(
                    "missing required field 'data' (array of {timestamp, value})",
                ))
            }
        },
        _ => {
            return Err(bad(
                "body must be {\"data\": [{timestamp, value}...]} or a bare array",
            ))
        }
    };
    let points = arr
        .iter()
        .enumerate()
        .map(|(n, p)| parse_point(p, &format!("data[{n}].")))
        .collect::<Result<Vec<_>, _>>()?;
    let added = insert_points(st, i, mi, points);
    Ok(Value::Array(added.iter().map(render_datapoint).collect()))
}

pub(super) fn delete_datapoints(st: &mut State, page_id: &str, id: &str) -> R {
    let i = page_idx(st, page_id)?;
    let mi = metric_idx(&st.pages[i], id)?;
    let pg = &mut st.pages[i];
    let m = &mut pg.metrics[mi];
    m.data.clear();
    Ok(json!({
        "name": m.name,
        "order": m.order,
        "suffix": m.suffix,
        "site": {"id": pg.id, "subdomain": pg.subdomain},
    }))
}
