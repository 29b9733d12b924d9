package dev.brownout.examples.boot;

import dev.brownout.degrade.WriteOperation;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Listings and bookings, in the database. Writes are refused while the site is browse-only. */
@Service
public class Bookings {
  private final JdbcTemplate jdbc;
  private final PaymentClient payments;

  Bookings(JdbcTemplate jdbc, PaymentClient payments) {
    this.jdbc = jdbc;
    this.payments = payments;
  }

  /** Every listing. */
  public List<Map<String, Object>> listings() {
    return jdbc.queryForList("select id, title, price from listings order by id");
  }

  /** The user's bookings. */
  public List<Map<String, Object>> of(String user) {
    return jdbc.queryForList(
        "select id, listing, nights, payment from bookings where guest = ? order by id", user);
  }

  /** Books and pays; paid later while the payment API is down. */
  @WriteOperation
  public Map<String, Object> book(String user, long listing, int nights, int port)
      throws Exception {
    Integer price =
        jdbc.queryForObject("select price from listings where id = ?", Integer.class, listing);
    jdbc.update(
        "insert into bookings (guest, listing, nights, payment) values (?, ?, ?, 'pending')",
        user,
        listing,
        nights);
    Long id = jdbc.queryForObject("select max(id) from bookings where guest = ?", Long.class, user);
    String payment = payments.charge(id, price * nights, port);
    jdbc.update("update bookings set payment = ? where id = ?", payment, id);
    return Map.of("booking", id, "payment", payment);
  }
}
